// Prompt caching: the tools and system prompt and the conversation so far carry cache breakpoints
// (at most 4), so every turn after the first in a thread reads from the cache. The fake Anthropic
// API keeps a prompt cache by the real rules (test/fakes/anthropic-cache.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Keyv from 'keyv';
import { createConversations } from '../../src/agent/conversation.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { agentFor, ok, recordingSink, stubTools } from '../fakes/anthropic-harness.js';

describe('prompt caching', () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic();
  });
  after(() => fake.close());

  it('reads from the cache on every turn after the first, and on every round after the first', async () => {
    const tools = stubTools([{ name: 'stub__lookup', run: () => ok('a fact '.repeat(200)) }]);
    // Each question: one tool round, then an answer.
    fake.script((request) => {
      const last = request.messages.at(-1);
      const afterTool = Array.isArray(last?.content) && last.content.some((b) => b.type === 'tool_result');
      return afterTool ? fake.reply.text('Here is the answer. '.repeat(20)) : fake.reply.tools([{ name: 'stub__lookup', input: { q: request.messages.length } }]);
    });
    const conversations = createConversations({ store: new Keyv(), agent: agentFor(fake, tools, { system: 'You are a careful assistant. '.repeat(50) }) });
    const usages = [];
    for (const question of ['first question', 'second question', 'third question', 'fourth question']) {
      const result = await conversations.runTurn('thread-1', question, recordingSink());
      usages.push(result.usage);
    }
    assert.deepEqual(fake.rejections, [], 'no request had more than 4 breakpoints or another problem');
    // Within the first turn, the second round reads what the first wrote.
    assert.ok((usages[0]?.cache_read_input_tokens ?? 0) > 0, 'the second round of the first turn reads the first round');
    for (const [i, usage] of usages.entries()) {
      if (i === 0) continue;
      assert.ok(usage.cache_read_input_tokens > usage.input_tokens, `turn ${i + 1} reads most of its prompt from the cache (${JSON.stringify(usage)})`);
    }
  });
});
