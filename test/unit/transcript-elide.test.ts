// Large tool results of answered turns are sent as a short note in later turns; the stored
// transcript keeps them whole, and the request stays valid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { elideAnsweredToolResults, isValid } from '../../src/agent/transcript.js';
import type { Transcript } from '../../src/agent/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { agentFor, ok, recordingSink, stubTools } from '../fakes/anthropic-harness.js';

const big = 'x'.repeat(10_000);

function turnWithTool(question: string, id: string, result: string): Transcript {
  return [
    { role: 'user', content: [{ type: 'text', text: question }] },
    { role: 'assistant', content: [{ type: 'tool_use', id, name: 'stub__read', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text: result }] }] },
    { role: 'assistant', content: [{ type: 'text', text: `answered ${question}` }] },
  ];
}

describe('elideAnsweredToolResults', () => {
  it('replaces a large result of an answered turn with a note that keeps the pairing', () => {
    const transcript = [...turnWithTool('first', 'toolu_1', big), { role: 'user', content: [{ type: 'text', text: 'second' }] }] satisfies Transcript;
    const sent = elideAnsweredToolResults(transcript, 4000);
    const result = sent[2]?.content;
    assert.ok(Array.isArray(result));
    const block = result[0];
    assert.equal(block?.type, 'tool_result');
    assert.ok(block?.type === 'tool_result');
    assert.equal(block.tool_use_id, 'toolu_1');
    assert.match(JSON.stringify(block.content), /10,000 characters/);
    assert.ok(isValid(sent));
    assert.equal(JSON.stringify(transcript).includes(big), true, 'the input is not changed');
  });

  it('keeps small results and the current turn as they are', () => {
    const current = turnWithTool('now', 'toolu_2', big).slice(0, 3);
    const transcript = [...turnWithTool('first', 'toolu_1', 'small'), ...current];
    const sent = elideAnsweredToolResults(transcript, 4000);
    assert.deepEqual(sent, transcript);
  });
});

describe('the agent sends answered large results as a note', () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic();
  });
  after(() => fake.close());

  it('sends the full result in its own turn, the note in the next, and stores it whole', async () => {
    const tools = stubTools([{ name: 'stub__read', run: () => ok(big) }]);
    fake.script((_request, i) => (i === 0 ? fake.reply.tools([{ id: 'toolu_a', name: 'stub__read' }]) : fake.reply.text(`answer ${i}`)));
    const agent = agentFor(fake, tools);
    const first = await agent.runTurn({ history: [], userText: 'read it', sink: recordingSink() });
    assert.ok(JSON.stringify(fake.calls[1]?.messages).includes(big), 'the turn that asked for it gets it whole');
    await agent.runTurn({ history: first.messages, userText: 'and now?', sink: recordingSink() });
    const later = JSON.stringify(fake.calls[2]?.messages);
    assert.ok(!later.includes(big));
    assert.match(later, /left out here to save space/);
    assert.ok(JSON.stringify(first.messages).includes(big), 'the stored transcript keeps it');
    assert.deepEqual(fake.rejections, []);
  });
});
