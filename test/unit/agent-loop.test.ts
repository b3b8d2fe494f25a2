// The turn loop against the fake Anthropic API and a stub ToolProvider: streaming, parallel tools,
// several rounds, tool errors. Every request the fake receives must be valid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { isValid } from '../../src/agent/transcript.js';
import { agentFor, barrier, content, failed, lastBlocks, ok, recordingSink, strictFake, stubTools } from '../fakes/anthropic-harness.js';

describe('agent loop', () => {
  const suite = strictFake();

  it('streams a plain answer and returns the new transcript', async () => {
    suite.fake.script([suite.fake.reply.text('Hello there, how can I help?', { stream: { chunks: 5 }, usage: { input_tokens: 50, output_tokens: 9 } })]);
    const tools = stubTools([{ name: 'stub__echo', run: (args) => ok(JSON.stringify(args)) }]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'hi', sink });

    assert.equal(sink.of('text').length, 5);
    assert.equal(sink.text(), 'Hello there, how can I help?');
    const done = sink.of('done');
    assert.equal(done.length, 1);
    assert.equal(done[0]?.text, 'Hello there, how can I help?');
    assert.equal(done[0]?.stopReason, 'end_turn');
    assert.equal(done[0]?.notice, undefined);
    assert.deepEqual(done[0]?.usage, { input_tokens: 50, output_tokens: 9, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    assert.equal(result.status, 'done');
    assert.deepEqual(result.messages, [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello there, how can I help?' }] },
    ]);

    const request = suite.fake.calls[0];
    assert.equal(request?.stream, true);
    assert.equal(request?.model, 'claude-sonnet-5-5');
    assert.deepEqual(request?.tools, [{ name: 'stub__echo', description: 'the stub__echo tool', input_schema: { type: 'object', properties: {} } }]);
    assert.deepEqual(request?.system, [{ type: 'text', text: 'You are a test assistant.', cache_control: { type: 'ephemeral' } }]);
  });

  it('runs two tool calls of one response in parallel and returns both results in one message, in tool_use order', async () => {
    const order: string[] = [];
    const bothStarted = barrier(2);
    const tools = stubTools([
      {
        name: 'slow',
        server: 'files',
        tool: 'read_file',
        run: async () => {
          order.push('start slow');
          await bothStarted();
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push('end slow');
          return ok('slow result', 'read 1 file');
        },
      },
      {
        name: 'fast',
        run: async () => {
          order.push('start fast');
          await bothStarted();
          order.push('end fast');
          return ok('fast result');
        },
      },
    ]);
    suite.fake.script([
      suite.fake.reply.tools(
        [
          { id: 'toolu_slow', name: 'slow', input: { path: '/a' } },
          { id: 'toolu_fast', name: 'fast', input: {} },
        ],
        { text: 'Let me look.' },
      ),
      suite.fake.reply.text('Both done.'),
    ]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'do both', sink });

    assert.deepEqual(order.slice(0, 2).sort(), ['start fast', 'start slow'], `both started before either finished: ${order.join(', ')}`);
    assert.equal(suite.fake.calls.length, 2);
    const results = lastBlocks(suite.fake.calls[1]);
    assert.deepEqual(
      results.map((block) => (block as Anthropic.ToolResultBlockParam).tool_use_id),
      ['toolu_slow', 'toolu_fast'],
    );
    assert.deepEqual((results[0] as Anthropic.ToolResultBlockParam).content, [{ type: 'text', text: 'slow result' }]);
    assert.equal((results[0] as Anthropic.ToolResultBlockParam).is_error, undefined);

    const started = sink.of('tool_started');
    assert.deepEqual(
      started.map((e) => [e.id, e.server, e.tool]),
      [
        ['toolu_slow', 'files', 'read_file'],
        ['toolu_fast', 'stub', 'fast'],
      ],
    );
    assert.deepEqual(started[0]?.input, { path: '/a' });
    const types = sink.events.map((e) => e.type).filter((t) => t.startsWith('tool_'));
    assert.deepEqual(types, ['tool_started', 'tool_started', 'tool_finished', 'tool_finished']);
    const finishedSlow = sink.of('tool_finished').find((e) => e.id === 'toolu_slow');
    assert.equal(finishedSlow?.ok, true);
    assert.equal(finishedSlow?.summary, 'read 1 file');
    assert.equal(finishedSlow?.server, 'files');
    assert.ok(typeof finishedSlow?.durationMs === 'number' && finishedSlow.durationMs >= 0);
    assert.equal(result.text, 'Both done.');
    assert.equal(result.messages.length, 4);
    assert.ok(isValid(result.messages));
  });

  it('goes round three times in a row, then answers', async () => {
    let n = 0;
    const tools = stubTools([{ name: 'count', run: () => ok(`count is ${++n}`) }]);
    suite.fake.script((_request, call) => (call < 3 ? suite.fake.reply.tools([{ name: 'count', input: { step: call } }], { text: `Step ${call}.` }) : suite.fake.reply.text('Counted to three.')));
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'count', sink });

    assert.equal(suite.fake.calls.length, 4);
    assert.deepEqual(tools.calls.map((c) => c.args), [{ step: 0 }, { step: 1 }, { step: 2 }]);
    for (let call = 1; call < 4; call++) {
      const results = lastBlocks(suite.fake.calls[call]);
      assert.equal(results.length, 1);
      assert.equal((results[0] as Anthropic.ToolResultBlockParam).tool_use_id, `toolu_fake_${call - 1}_1`);
    }
    assert.equal(result.rounds, 4);
    assert.equal(result.text, 'Counted to three.');
    assert.equal(sink.of('done')[0]?.rounds, 4);
    assert.equal(result.messages.length, 8);
    assert.ok(isValid(result.messages));
    assert.equal(result.usage.input_tokens > 0, true);
  });

  it('gives a failing tool back to Claude as is_error', async () => {
    const tools = stubTools([
      { name: 'broken', run: () => failed('disk on fire') },
      {
        name: 'throws',
        run: () => {
          throw new Error('provider broke its promise');
        },
      },
    ]);
    suite.fake.script([suite.fake.reply.tools([{ name: 'broken' }, { name: 'throws' }]), suite.fake.reply.text('Sorry, the tools failed.')]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'try', sink });

    const [first, second] = lastBlocks(suite.fake.calls[1]) as Anthropic.ToolResultBlockParam[];
    assert.equal(first?.is_error, true);
    assert.deepEqual(first?.content, [{ type: 'text', text: 'disk on fire' }]);
    assert.equal(second?.is_error, true);
    assert.match(JSON.stringify(second?.content), /provider broke its promise/);
    assert.deepEqual(
      sink.of('tool_finished').map((e) => e.ok),
      [false, false],
    );
    assert.equal(result.status, 'done');
  });

  it('answers an unknown tool and non-object arguments with is_error, without calling the provider', async () => {
    const tools = stubTools([{ name: 'real', run: () => ok('real result') }]);
    suite.fake.script([
      suite.fake.reply.tools([
        { id: 'toolu_ghost', name: 'ghost', input: {} },
        { id: 'toolu_array', name: 'real', input: [1, 2, 3] },
        { id: 'toolu_string', name: 'real', input: 'just text' },
        { id: 'toolu_fine', name: 'real', input: { ok: true } },
      ]),
      suite.fake.reply.text('Done.'),
    ]);
    const sink = recordingSink();
    const result = await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'go', sink });

    assert.deepEqual(tools.calls, [{ name: 'real', args: { ok: true } }]);
    const results = lastBlocks(suite.fake.calls[1]) as Anthropic.ToolResultBlockParam[];
    assert.deepEqual(
      results.map((r) => [r.tool_use_id, r.is_error === true]),
      [
        ['toolu_ghost', true],
        ['toolu_array', true],
        ['toolu_string', true],
        ['toolu_fine', false],
      ],
    );
    assert.match(JSON.stringify(results[0]?.content), /There is no tool named \\"ghost\\". Available tools: real/);
    assert.match(JSON.stringify(results[1]?.content), /must be a JSON object, not an array/);
    assert.match(JSON.stringify(results[2]?.content), /not a string/);
    // The stored tool_use keeps an object input, or the next request would be refused.
    const stored = result.messages[1]?.content as Anthropic.ContentBlockParam[];
    assert.deepEqual((stored[1] as Anthropic.ToolUseBlockParam).input, {});
    assert.ok(isValid(result.messages));
    const ghost = sink.of('tool_finished').find((e) => e.id === 'toolu_ghost');
    assert.deepEqual([ghost?.ok, ghost?.server, ghost?.tool], [false, '', 'ghost']);
  });

  it('forwards tool progress and keeps tool content the API would refuse out of the request', async () => {
    const tools = stubTools([
      {
        name: 'long',
        run: (_args, options) => {
          options.onProgress?.({ progress: 1, total: 2, message: 'half way' });
          options.onProgress?.({ progress: 2, total: 2 });
          return content([
            { type: 'text', text: '' },
            { type: 'image', data: 'iVBO', mimeType: 'image/png' } as never,
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ]);
        },
      },
    ]);
    suite.fake.script([suite.fake.reply.tools([{ id: 'toolu_long', name: 'long' }]), suite.fake.reply.text('ok')]);
    const sink = recordingSink();
    await agentFor(suite.fake, tools).runTurn({ history: [], userText: 'go', sink });

    assert.deepEqual(sink.of('tool_progress'), [
      { type: 'tool_progress', id: 'toolu_long', progress: 1, total: 2, message: 'half way' },
      { type: 'tool_progress', id: 'toolu_long', progress: 2, total: 2 },
    ]);
    const result = lastBlocks(suite.fake.calls[1])[0] as Anthropic.ToolResultBlockParam;
    assert.equal((result.content as Anthropic.ContentBlockParam[]).length, 2);
  });

  it('continues a conversation: history goes out first, usage adds up over the calls', async () => {
    const tools = stubTools([{ name: 'echo', run: (args) => ok(String(args.text)) }]);
    suite.fake.script([
      suite.fake.reply.tools([{ name: 'echo', input: { text: 'x' } }], { usage: { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 80 } }),
      suite.fake.reply.text('x it is', { usage: { input_tokens: 120, output_tokens: 5, cache_read_input_tokens: 80 } }),
    ]);
    const history = [
      { role: 'user' as const, content: 'earlier question' },
      { role: 'assistant' as const, content: 'earlier answer' },
    ];
    const result = await agentFor(suite.fake, tools).runTurn({ history, userText: 'echo x', sink: recordingSink() });

    assert.deepEqual(suite.fake.calls[0]?.messages.slice(0, 2), history);
    assert.deepEqual(result.messages.slice(0, 2), history);
    assert.deepEqual(result.usage, { input_tokens: 220, output_tokens: 15, cache_read_input_tokens: 80, cache_creation_input_tokens: 80 });
  });
});
