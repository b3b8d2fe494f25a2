// Conversations end to end: the real SDK against the fake Anthropic API, the agent loop with a stub
// ToolProvider, and a real sqlite store that is closed and reopened between turns.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { createConversations, DEFAULT_CONVERSATION_TTL_MS } from '../../src/agent/conversation.js';
import { isValid } from '../../src/agent/transcript.js';
import { openStore } from '../../src/store.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { agentFor, ok, recordingSink, stubTools } from '../fakes/anthropic-harness.js';

describe('conversations in a sqlite store', () => {
  let fake: FakeAnthropic;
  let dir: string;
  let url: string;
  const tools = stubTools([{ name: 'weather', server: 'meteo', tool: 'forecast', run: (args) => ok(`sunny in ${String(args.city)}`) }]);

  before(async () => {
    fake = await startFakeAnthropic();
    dir = mkdtempSync(path.join(tmpdir(), 'agent-conversation-'));
    url = `sqlite://${path.join(dir, 'x.sqlite')}`;
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    assert.deepEqual(fake.rejections, [], 'every request the fake received was valid');
    fake.calls.length = 0;
  });

  it('keeps a conversation across a store close and reopen, and sends it back whole', async () => {
    fake.script([fake.reply.tools([{ name: 'weather', input: { city: 'Oslo' } }], { text: 'Checking.' }), fake.reply.text('It is sunny in Oslo.')]);
    let store = await openStore(url, 'test');
    let conversations = createConversations({ store, agent: agentFor(fake, tools) });
    const first = await conversations.runTurn('T1', 'Weather in Oslo?', recordingSink());
    assert.equal(first.status, 'done');
    assert.equal(first.saved, true);
    await store.disconnect();

    store = await openStore(url, 'test');
    conversations = createConversations({ store, agent: agentFor(fake, tools) });
    const stored = await conversations.history('T1');
    assert.deepEqual(stored, first.messages);
    assert.equal(stored.length, 4);
    assert.ok(isValid(stored));
    assert.deepEqual(await conversations.history('another thread'), []);

    fake.calls.length = 0;
    fake.script([fake.reply.text('You asked about Oslo.')]);
    const sink = recordingSink();
    const second = await conversations.runTurn('T1', 'What did I ask?', sink);
    assert.deepEqual(fake.calls[0]?.messages.slice(0, 4), stored);
    assert.equal(sink.of('done')[0]?.text, 'You asked about Oslo.');
    assert.equal((await conversations.history('T1')).length, 6);
    assert.equal(second.messages.length, 6);

    await conversations.forget('T1');
    assert.deepEqual(await conversations.history('T1'), []);
    await store.disconnect();
  });

  it('keeps the thread\'s token use with it, and reads a thread an older version stored (usage under its own key)', async () => {
    const store = await openStore(url, 'test');
    const conversations = createConversations({ store, agent: agentFor(fake, tools) });
    fake.script([fake.reply.text('One.'), fake.reply.text('Two.'), fake.reply.text('New answer.')]);
    const first = await conversations.runTurn('T-usage', 'First?', recordingSink());
    assert.ok(first.usage.output_tokens > 0);
    assert.deepEqual(first.totalUsage, first.usage, 'a new thread starts from nothing');
    const second = await conversations.runTurn('T-usage', 'Second?', recordingSink());
    assert.equal(second.totalUsage?.output_tokens, first.usage.output_tokens + second.usage.output_tokens);

    // The layout before the usage moved in: the transcript alone, the totals under 'usage:<key>'.
    const old = [
      { role: 'user', content: 'Old question' },
      { role: 'assistant', content: [{ type: 'text', text: 'Old answer.' }] },
    ];
    await store.set('conversation:T-old', { format: 1, messages: old, updatedAt: new Date(0).toISOString() });
    const past = { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 30, cache_creation_input_tokens: 4 };
    await store.set('usage:T-old', past);
    assert.deepEqual(await conversations.history('T-old'), old);
    const next = await conversations.runTurn('T-old', 'New question', recordingSink());
    assert.deepEqual(fake.calls.at(-1)?.messages.slice(0, 2), old, 'the old transcript is sent');
    assert.equal(next.totalUsage?.output_tokens, past.output_tokens + next.usage.output_tokens, 'the old totals go on');
    assert.equal(next.totalUsage?.cache_creation_input_tokens, past.cache_creation_input_tokens + next.usage.cache_creation_input_tokens);
    await conversations.forget('T-old');
    assert.equal(await store.get('usage:T-old'), undefined, 'forget removes the old totals too');
    await store.disconnect();
  });

  it('stores the valid prefix of a turn that fails midway', async () => {
    fake.script((_request, call) => (call === 0 ? fake.reply.tools([{ id: 'toolu_w', name: 'weather', input: { city: 'Rome' } }]) : fake.reply.overloaded()));
    const store = await openStore(url, 'test');
    const conversations = createConversations({ store, agent: agentFor(fake, tools) });
    const sink = recordingSink();
    const result = await conversations.runTurn('T2', 'Weather in Rome?', sink);
    assert.equal(result.status, 'failed');
    assert.match(sink.of('failed')[0]?.message ?? '', /overloaded/);

    const stored = await conversations.history('T2');
    assert.ok(isValid(stored));
    assert.deepEqual(
      stored.map((m) => m.role),
      ['user', 'assistant', 'user'],
    );
    const results = stored[2]?.content as Anthropic.ToolResultBlockParam[];
    assert.equal(results[0]?.tool_use_id, 'toolu_w');

    // The next question joins those tool results in one user message, which the API accepts.
    fake.calls.length = 0;
    fake.script([fake.reply.text('Sunny in Rome.')]);
    const next = await conversations.runTurn('T2', 'Still there?', recordingSink());
    assert.equal(next.status, 'done');
    assert.deepEqual(
      (await conversations.history('T2')).map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant'],
    );
    await store.disconnect();
  });

  it('trims what it sends to the budget but stores the whole conversation', async () => {
    const store = await openStore(url, 'test');
    fake.script(() => fake.reply.text(`A long answer. ${'words '.repeat(300)}`));
    const conversations = createConversations({ store, agent: agentFor(fake, tools, { historyBudgetTokens: 1200 }) });
    for (let turn = 0; turn < 6; turn++) {
      const result = await conversations.runTurn('T3', `question ${turn}`, recordingSink());
      assert.equal(result.status, 'done');
    }
    const stored = await conversations.history('T3');
    assert.equal(stored.length, 12);
    const lastSent = fake.calls.at(-1)?.messages ?? [];
    assert.ok(lastSent.length < 11, `sent ${lastSent.length} messages`);
    assert.equal(lastSent[0]?.role, 'user');
    assert.deepEqual(lastSent, stored.slice(stored.length - 1 - lastSent.length, -1));
    await store.disconnect();
  });

  it('saves with a TTL (30 days unless told) and lets conversations expire', async (t) => {
    const store = await openStore('memory://', 'test');
    const ttls: (number | undefined)[] = [];
    const set = store.set.bind(store);
    store.set = ((key: string, value: unknown, ttl?: number) => {
      ttls.push(ttl);
      return set(key, value, ttl);
    });
    fake.script(() => fake.reply.text('hi'));
    await createConversations({ store, agent: agentFor(fake, tools) }).runTurn('T4', 'hello', recordingSink());
    assert.deepEqual(ttls, [DEFAULT_CONVERSATION_TTL_MS]);
    assert.equal(DEFAULT_CONVERSATION_TTL_MS, 30 * 24 * 60 * 60 * 1000);

    const shortLived = createConversations({ store, agent: agentFor(fake, tools), ttlMs: 50 });
    await shortLived.runTurn('T4b', 'hello', recordingSink());
    assert.equal((await shortLived.history('T4b')).length, 2, 'kept within its TTL');
    // The store's clock is Date: move it past the TTL instead of waiting.
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    t.mock.timers.tick(51);
    assert.deepEqual(await shortLived.history('T4b'), []);
  });

  it('reads a stored value with an invalid tail as its valid prefix', async () => {
    const store = await openStore('memory://', 'test');
    await store.set('conversation:T5', {
      format: 1,
      updatedAt: new Date().toISOString(),
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'dangling', name: 'weather', input: {} }] },
      ],
    });
    const conversations = createConversations({ store, agent: agentFor(fake, tools) });
    assert.deepEqual(await conversations.history('T5'), [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'q2' },
    ]);
  });
});
