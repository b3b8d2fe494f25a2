// How a turn ends when the answer is not simply whole: max_tokens, refusal, pause_turn, the round
// cap; and what is sent when the history is long or broken.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { EMPTY_QUESTION, notices } from '../../src/agent/notices.js';
import { isValid, turnStarts } from '../../src/agent/transcript.js';
import type { Transcript } from '../../src/agent/types.js';
import { agentFor, lastBlocks, ok, recordingSink, strictFake, stubTools } from '../fakes/anthropic-harness.js';
import { toolTurn } from '../fakes/anthropic-transcripts.js';

const history: Transcript = [
  { role: 'user', content: 'first question' },
  { role: 'assistant', content: 'first answer' },
];

describe('agent loop: incomplete answers', () => {
  const tools = stubTools([{ name: 'look', run: () => ok('looked') }]);
  const suite = strictFake(() => {
    tools.calls.length = 0;
  });

  it('max_tokens: done with the cut text and a notice; a half tool_use is not kept', async () => {
    suite.fake.script([suite.fake.reply.tools([{ name: 'look', input: { q: 'x' } }], { text: 'The answer is that the', stopReason: 'max_tokens' })]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'explain', sink });

    const done = sink.of('done')[0];
    assert.equal(done?.stopReason, 'max_tokens');
    assert.equal(done?.text, 'The answer is that the');
    assert.equal(done?.notice, notices.cut);
    assert.equal(tools.calls.length, 0);
    assert.deepEqual(result.messages.at(-1), { role: 'assistant', content: [{ type: 'text', text: 'The answer is that the' }] });
    assert.ok(isValid(result.messages));
  });

  it('refusal: a notice, and the refused turn is left out of the transcript', async () => {
    suite.fake.script([suite.fake.reply.refusal('I will not', 'This request was declined because it could enable harm.')]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'something bad', sink });

    const done = sink.of('done')[0];
    assert.equal(done?.stopReason, 'refusal');
    assert.match(done?.notice ?? '', /Claude declined to answer: This request was declined because it could enable harm\./);
    assert.deepEqual(result.messages, history);
  });

  it('pause_turn: the paused content goes back as the last message and the answer continues', async () => {
    suite.fake.script([
      suite.fake.reply.text('Searching the archive for you. ', { stopReason: 'pause_turn' }),
      suite.fake.reply.text('Found three matches.'),
    ]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'search', sink });

    assert.equal(suite.fake.calls.length, 2);
    assert.deepEqual(suite.fake.calls[1]?.messages.at(-1), { role: 'assistant', content: [{ type: 'text', text: 'Searching the archive for you.' }] });
    assert.equal(result.rounds, 2);
    assert.equal(result.text, 'Searching the archive for you. Found three matches.');
    assert.equal(sink.text(), 'Searching the archive for you. Found three matches.');
    assert.equal(result.messages.length, 4);
    assert.deepEqual(result.messages.at(-1), {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Searching the archive for you. ' },
        { type: 'text', text: 'Found three matches.' },
      ],
    });
    assert.ok(isValid(result.messages));
  });

  it('round cap: tools run for maxRounds rounds, then one last call answers without tools', async () => {
    suite.fake.script((request, call) => (request.tool_choice?.type === 'none' ? suite.fake.reply.text('Here is what I found so far.') : suite.fake.reply.tools([{ name: 'look', input: { call } }])));
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools, { maxRounds: 2 }).runTurn({ history, userText: 'keep looking', sink });

    assert.equal(suite.fake.calls.length, 3);
    assert.equal(tools.calls.length, 2);
    assert.equal(suite.fake.calls[0]?.tool_choice, undefined);
    assert.deepEqual(suite.fake.calls[2]?.tool_choice, { type: 'none' });
    assert.ok(suite.fake.calls[2]?.tools?.length, 'tools stay declared: the history holds tool blocks');
    const done = sink.of('done')[0];
    assert.equal(done?.text, 'Here is what I found so far.');
    assert.equal(done?.notice, notices.roundCap(2));
    assert.equal(done?.rounds, 3);
    assert.ok(isValid(result.messages));
  });

  it('round cap: tool calls made anyway in the last call are answered as not run, and the transcript stays valid', async () => {
    suite.fake.script(() => suite.fake.reply.tools([{ name: 'look' }, { name: 'look' }], { text: 'One more look.' }));
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools, { maxRounds: 1 }).runTurn({ history, userText: 'go', sink });

    assert.equal(suite.fake.calls.length, 2);
    assert.equal(tools.calls.length, 2, 'only the first round ran');
    const last = result.messages.at(-1);
    assert.equal(last?.role, 'user');
    const results = last?.content as Anthropic.ToolResultBlockParam[];
    assert.deepEqual(
      results.map((r) => r.is_error),
      [true, true],
    );
    assert.match(JSON.stringify(results[0]?.content), /Not run/);
    assert.equal(sink.of('done')[0]?.notice, notices.roundCap(1));
    assert.ok(isValid(result.messages));

    // The next turn merges its question after those results and the API takes it.
    suite.fake.script([suite.fake.reply.text('Sure.')]);
    suite.fake.calls.length = 0;
    const next = await agentFor(suite.fake, tools).runTurn({ history: result.messages, userText: 'thanks', sink: recordingSink() });
    const merged = lastBlocks(suite.fake.calls[0]);
    assert.deepEqual(
      merged.map((b) => b.type),
      ['tool_result', 'tool_result', 'text'],
    );
    assert.ok(isValid(next.messages));
  });

  it('an empty question is sent as a short placeholder, not as an empty text block', async () => {
    suite.fake.script([suite.fake.reply.text('You said nothing.')]);
    await agentFor(suite.fake, tools).runTurn({ history: [], userText: '   ', sink: recordingSink() });
    assert.deepEqual(lastBlocks(suite.fake.calls[0]), [{ type: 'text', text: EMPTY_QUESTION }]);
  });

  it('a history with an invalid tail is cut before it is sent', async () => {
    suite.fake.script([suite.fake.reply.text('ok')]);
    const broken: Transcript = [...history, { role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'orphan', name: 'look', input: {} }] }];
    const result = await agentFor(suite.fake, tools).runTurn({ history: broken, userText: 'next', sink: recordingSink() });
    assert.deepEqual(suite.fake.calls[0]?.messages.slice(0, 2), history);
    assert.ok(isValid(result.messages));
  });

  it('trims what is sent to the token budget by whole turns, keeping tool pairs, and the fake takes it', async () => {
    const long: Transcript = [...toolTurn('a', 2, 4000), ...toolTurn('b', 1, 4000), ...toolTurn('c', 3, 200)];
    suite.fake.script((_request, call) => (call === 0 ? suite.fake.reply.tools([{ name: 'look' }]) : suite.fake.reply.text('done')));
    const result = await agentFor(suite.fake, tools, { historyBudgetTokens: 1500 }).runTurn({ history: long, userText: 'next', sink: recordingSink() });

    for (const request of suite.fake.calls) {
      const sent = request.messages;
      assert.deepEqual(sent.slice(0, 8), toolTurn('c', 3, 200), 'the old, big turns are gone; the recent one is whole');
      assert.equal(turnStarts(sent)[0], 0);
      assert.ok(isValid(sent));
    }
    assert.equal(result.messages.length, long.length + 4, 'the whole transcript is kept for storage');
    assert.deepEqual(result.messages.slice(0, long.length), long);
  });
});
