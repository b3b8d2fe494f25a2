// When Claude or the sink fails: one plain sentence in a failed event, and a transcript that is still
// a valid prefix; a broken sink does not break the loop; a cancelled turn stops cleanly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { describeModelError } from '../../src/agent/model-errors.js';
import { isValid } from '../../src/agent/transcript.js';
import type { Transcript } from '../../src/agent/types.js';
import { agentFor, lastBlocks, ok, recordingSink, strictFake, stubTools } from '../fakes/anthropic-harness.js';

const history: Transcript = [
  { role: 'user', content: 'first question' },
  { role: 'assistant', content: 'first answer' },
];

describe('agent loop: failures', () => {
  const tools = stubTools([{ name: 'look', run: () => ok('looked') }]);
  const suite = strictFake(() => {
    tools.calls.length = 0;
  });

  it('529 after the SDK retries: failed with one plain sentence, and the question is kept', async () => {
    suite.fake.script(() => suite.fake.reply.overloaded());
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools, { maxRetries: 2 }).runTurn({ history, userText: 'hello?', sink });

    assert.equal(suite.fake.calls.length, 3, 'the SDK tried three times');
    const failed = sink.of('failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.message, 'Claude is overloaded right now (529); please try again in a minute.');
    assert.ok(failed[0]?.error instanceof Anthropic.OverloadedError);
    assert.equal(sink.of('done').length, 0);
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.messages, [...history, { role: 'user', content: [{ type: 'text', text: 'hello?' }] }]);
    assert.ok(isValid(result.messages));
  });

  it('500 after a tool round: the stored prefix keeps the tool results, and the next turn goes through', async () => {
    suite.fake.script((_request, call) => (call === 0 ? suite.fake.reply.tools([{ id: 'toolu_1', name: 'look' }]) : suite.fake.reply.error(500)));
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools, { maxRetries: 1 }).runTurn({ history, userText: 'look it up', sink });

    assert.equal(suite.fake.calls.length, 3);
    assert.equal(sink.of('failed')[0]?.message, "Claude's API had an internal error (500); please try again in a minute.");
    assert.deepEqual(
      result.messages.map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant', 'user'],
    );
    assert.equal((lastBlocks(result).at(0) as Anthropic.ToolResultBlockParam).tool_use_id, 'toolu_1');
    assert.ok(isValid(result.messages));

    suite.fake.calls.length = 0;
    suite.fake.script([suite.fake.reply.text('Here it is.')]);
    const next = await agentFor(suite.fake, tools).runTurn({ history: result.messages, userText: 'try again', sink: recordingSink() });
    assert.equal(next.status, 'done');
    assert.deepEqual(
      lastBlocks(suite.fake.calls[0]).map((b) => b.type),
      ['tool_result', 'text'],
    );
  });

  it('an error event in the middle of the stream fails the turn after the text so far', async () => {
    suite.fake.script([suite.fake.reply.streamError('Half of my')]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'go', sink });
    assert.equal(sink.text(), 'Half of my');
    assert.equal(sink.of('failed')[0]?.message, 'Claude is overloaded right now (529); please try again in a minute.');
    assert.ok(isValid(result.messages));
  });

  it('a stream that goes silent is given up after the idle timeout', async () => {
    suite.fake.script([suite.fake.reply.hang('Let me think about')]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools, { streamIdleTimeoutMs: 150 }).runTurn({ history, userText: 'go', sink });
    assert.equal(sink.of('failed')[0]?.message, 'Claude stopped sending its answer midway; please try again.');
    assert.equal(result.status, 'failed');
    assert.ok(isValid(result.messages));
  });

  it('no answer at all before the SDK timeout', async () => {
    suite.fake.script(() => suite.fake.reply.hang());
    const sink = recordingSink();
    const agent = agentFor(suite.fake, tools, { client: suite.fake.client({ timeout: 100, maxRetries: 0 }) });
    await agent.runTurn({ history, userText: 'go', sink });
    assert.equal(sink.of('failed')[0]?.message, 'Claude did not answer in time; please try again in a minute.');
  });

  it('a sink that throws or rejects does not break the loop', async () => {
    suite.fake.script([suite.fake.reply.tools([{ name: 'look' }], { text: 'Looking.' }), suite.fake.reply.text('All good.')]);
    let seen = 0;
    const sink = {
      emit(event: { type: string }) {
        seen++;
        if (event.type === 'text') throw new Error('sink exploded');
        return Promise.reject(new Error('sink rejected'));
      },
    };
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'go', sink });
    assert.equal(result.status, 'done');
    assert.equal(result.text, 'All good.');
    assert.equal(tools.calls.length, 1);
    assert.ok(seen >= 5);
  });

  it('a cancelled turn stops with a failed event and a valid transcript', async () => {
    const controller = new AbortController();
    const slow = stubTools([
      {
        name: 'slow',
        run: async (_args, options) => {
          controller.abort();
          assert.ok(options.signal?.aborted, 'the tool gets the signal');
          return { content: [{ type: 'text', text: 'cancelled' }], isError: true, summary: 'cancelled' };
        },
      },
    ]);
    suite.fake.script([suite.fake.reply.tools([{ name: 'slow' }]), suite.fake.reply.text('never sent')]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, slow).runTurn({ history, userText: 'go', sink, signal: controller.signal });
    assert.equal(suite.fake.calls.length, 1);
    assert.equal(sink.of('failed')[0]?.message, 'The answer was cancelled before Claude finished.');
    assert.ok(isValid(result.messages));
    assert.equal(result.messages.at(-1)?.role, 'user');
  });
});

describe('describeModelError', () => {
  it('gives one plain sentence per kind of failure', () => {
    const headers = new Headers();
    const cases: [unknown, RegExp][] = [
      [new Anthropic.RateLimitError(429, undefined, undefined, headers), /\(429\)/],
      [new Anthropic.AuthenticationError(401, undefined, undefined, headers), /ANTHROPIC_API_KEY/],
      [new Anthropic.NotFoundError(404, undefined, undefined, headers), /ANTHROPIC_MODEL/],
      [new Anthropic.BadRequestError(400, undefined, undefined, headers), /\(400\).*log/],
      [new Anthropic.APIConnectionError({ message: 'refused' }), /could not reach Claude/],
      [new Error('boom'), /Something went wrong/],
    ];
    for (const [error, expected] of cases) {
      const sentence = describeModelError(error);
      assert.match(sentence, expected);
      assert.equal(sentence.split('\n').length, 1);
      assert.ok(sentence.endsWith('.'));
    }
  });
});
