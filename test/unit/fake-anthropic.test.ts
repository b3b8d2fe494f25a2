// The fake Anthropic API, driven by the real SDK: it refuses what the real API refuses, accepts valid
// transcripts, streams in the shapes the SDK parses, and plays scripted errors and hangs.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';

type Params = Anthropic.MessageCreateParamsNonStreaming;
type Message = Anthropic.MessageParam;

const tool = (name: string): Anthropic.Tool => ({ name, input_schema: { type: 'object', properties: {} } });
const user = (content: Message['content']): Message => ({ role: 'user', content });
const assistant = (content: Message['content']): Message => ({ role: 'assistant', content });
const toolUse = (id: string, name = 'echo', input: unknown = {}): Anthropic.ToolUseBlockParam => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: Anthropic.ToolResultBlockParam['content'] = 'ok'): Anthropic.ToolResultBlockParam => ({
  type: 'tool_result',
  tool_use_id: id,
  content,
});
const params = (messages: Message[], extra: Partial<Params> = {}): Params => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 100,
  messages,
  tools: [tool('echo'), tool('add')],
  ...extra,
});
/** For bodies the SDK's types rightly forbid: the point is that the fake refuses them too. */
const unchecked = (body: unknown) => body as Params;

describe('fake Anthropic API', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;

  before(async () => {
    fake = await startFakeAnthropic();
    client = fake.client();
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.script(() => fake.reply.text('fine'));
    fake.rejections.length = 0;
    fake.calls.length = 0;
    fake.requests.length = 0;
  });

  async function rejects(body: Params, fragment: string | RegExp): Promise<void> {
    await assert.rejects(client.messages.create(body), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError, `expected a 400, got ${String(error)}`);
      return true;
    });
    const rejection = fake.rejections.at(-1);
    assert.ok(rejection, 'the fake recorded the rejection');
    assert.equal(rejection.status, 400);
    assert.equal(rejection.type, 'invalid_request_error');
    if (typeof fragment === 'string') assert.ok(rejection.message.includes(fragment), `"${rejection.message}" should mention "${fragment}"`);
    else assert.match(rejection.message, fragment);
    assert.equal(fake.calls.length, 0, 'a refused request never reaches the script');
  }

  describe('refuses what the real API refuses', () => {
    it('a first message that is not from the user', () => rejects(params([assistant('hello')]), 'first message must use the "user" role'));

    it('a tool_use whose tool_result is not at the start of the next user message', async () => {
      await rejects(params([user('hi'), assistant([toolUse('t1')]), user('and?')]), '`tool_use` ids were found without `tool_result` blocks immediately after: t1');
      await rejects(
        params([user('hi'), assistant([toolUse('t1'), toolUse('t2')]), user([toolResult('t1')])]),
        'immediately after: t2',
      );
    });

    it('a tool_use left without any next message', () =>
      rejects(params([user('hi'), assistant([toolUse('t1')])]), 'without `tool_result` blocks immediately after: t1'));

    it('a tool_result whose id matches no tool_use of the previous assistant message', async () => {
      await rejects(params([user('hi'), assistant([toolUse('t1')]), user([toolResult('t1'), toolResult('nope')])]), 'unexpected `tool_use_id` found in `tool_result` blocks: nope');
      await rejects(params([user([toolResult('t0')])]), 'unexpected `tool_use_id`');
    });

    it('a tool_result after other content in the user message', () =>
      rejects(
        params([user('hi'), assistant([toolUse('t1')]), user([{ type: 'text', text: 'first' }, toolResult('t1')])]),
        '`tool_result` blocks must come first',
      ));

    it('MCP content blocks the API does not take inside a tool_result', async () => {
      const mcpBlocks = [
        { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
        { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt' },
        { type: 'resource', resource: { uri: 'file:///a.txt', text: 'x' } },
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
      ];
      for (const block of mcpBlocks) {
        const body = unchecked(params([user('hi'), assistant([toolUse('t1')]), user([toolResult('t1', unchecked([block]) as never)])]));
        await rejects(body, block.type === 'image' ? 'content.0.source: Field required' : `Input tag "${block.type}"`);
      }
    });

    it('an image with a media type the API does not read', () =>
      rejects(
        params([user([{ type: 'image', source: { type: 'base64', media_type: unchecked('image/bmp') as never, data: 'Qk0=' } }])]),
        "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
      ));

    it('empty text blocks, anywhere', async () => {
      await rejects(params([user([{ type: 'text', text: '' }])]), 'text content blocks must be non-empty');
      await rejects(params([user([{ type: 'text', text: '  \n' }])]), 'non-whitespace text');
      await rejects(params([user('')]), 'all messages must have non-empty content');
      await rejects(params([user([])]), 'all messages must have non-empty content');
      await rejects(params([user('hi'), assistant([toolUse('t1')]), user([toolResult('t1', [{ type: 'text', text: '' }])])]), 'messages.2.content.0.content.0.text');
      await rejects(params([user('hi')], { system: [{ type: 'text', text: '' }] }), 'system.0.text');
      await rejects(params([user('hi'), assistant([{ type: 'text', text: '' }, toolUse('t1')]), user([toolResult('t1')])]), 'messages.1.content.0.text');
    });

    it('tool names outside ^[a-zA-Z0-9_-]{1,64}$, and the same name twice', async () => {
      for (const name of ['has space', 'dotted.name', 'x'.repeat(65), '', 'slash/name']) {
        await rejects(params([user('hi')], { tools: [tool(name)] }), "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
      }
      await rejects(params([user('hi')], { tools: [tool('echo'), tool('echo')] }), 'Tool names must be unique');
      await rejects(params([user('hi')], { tools: [{ name: 'x', input_schema: unchecked({ type: 'string' }) as never }] }), "input_schema.type: Input should be 'object'");
    });

    it('a request without max_tokens or model', async () => {
      const { max_tokens: _m, ...noMax } = params([user('hi')]);
      await rejects(unchecked(noMax), 'max_tokens: Field required');
      const { model: _model, ...noModel } = params([user('hi')]);
      await rejects(unchecked(noModel), 'model: Field required');
    });

    it('more than 4 cache_control breakpoints', async () => {
      const cached = (text: string): Anthropic.TextBlockParam => ({ type: 'text', text, cache_control: { type: 'ephemeral' } });
      await rejects(
        params([user([cached('a'), cached('b'), cached('c')])], { system: [cached('sys')], cache_control: { type: 'ephemeral' } }),
        'A maximum of 4 blocks with cache_control may be provided. Found 5.',
      );
    });

    it('a tool_use input that is not an object, a final assistant text ending in whitespace, an unknown role', async () => {
      await rejects(params([user('hi'), assistant([toolUse('t1', 'echo', [1, 2])]), user([toolResult('t1')])]), 'input: Input should be a valid dictionary');
      await rejects(params([user('hi'), assistant('Sure, ')]), 'final assistant content cannot end with trailing whitespace');
      await rejects(unchecked(params([{ role: 'system', content: 'x' } as never, user('hi')])), "role: Input should be 'user' or 'assistant'");
    });

    it('requests without an API key or anthropic-version header', async () => {
      const body = JSON.stringify(params([user('hi')]));
      const noKey = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body });
      assert.equal(noKey.status, 401);
      const noVersion = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k' }, body });
      assert.equal(noVersion.status, 400);
      assert.equal(fake.rejections.length, 2);
    });
  });

  describe('accepts valid transcripts', () => {
    it('parallel tool_use answered in one message, images and documents in results, text after results', async () => {
      const png = { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } as const;
      const body = params(
        [
          user('What is 1+2, and show me the logo'),
          assistant([{ type: 'text', text: 'Let me check.' }, toolUse('t1', 'add', { a: 1, b: 2 }), toolUse('t2', 'echo', { text: 'logo' })]),
          user([
            toolResult('t1', '3'),
            toolResult('t2', [
              { type: 'text', text: 'the logo' },
              { type: 'image', source: png },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
            ]),
            { type: 'text', text: 'also, be brief' },
          ]),
          assistant('3, and here it is.'),
          user('thanks'),
          // The API merges consecutive user messages, so a second one is accepted too.
          user([{ type: 'text', text: 'one more thing' }]),
        ],
        { system: [{ type: 'text', text: 'be nice', cache_control: { type: 'ephemeral' } }], cache_control: { type: 'ephemeral' } },
      );
      const message = await client.messages.create(body);
      assert.equal(message.content[0]?.type, 'text');
      assert.deepEqual(fake.rejections, []);
      assert.deepEqual(fake.calls[0]?.messages, body.messages, 'the parsed body is recorded');
    });

    it('a prefilled final assistant message, and tool_results for a tool_use in the middle of a merged turn', async () => {
      await client.messages.create(params([user('hi'), assistant('Hello')]));
      await client.messages.create(params([user('hi'), assistant('Let me look.'), assistant([toolUse('t9')]), user([toolResult('t9', [])])]));
      assert.deepEqual(fake.rejections, []);
    });

    it('count_tokens gives a close estimate', async () => {
      const small = await client.messages.countTokens({ model: 'claude-sonnet-5-5', messages: [user('hello')] });
      const big = await client.messages.countTokens({ model: 'claude-sonnet-5-5', messages: [user('hello '.repeat(400))] });
      assert.ok(small.input_tokens >= 1 && small.input_tokens < 10, String(small.input_tokens));
      assert.ok(big.input_tokens > 400 && big.input_tokens < 1000, String(big.input_tokens));
    });
  });

  describe('knows the models the API serves, and their rules', () => {
    async function notFound(call: Promise<unknown>, message: string): Promise<void> {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof Anthropic.NotFoundError, `expected a 404, got ${String(error)}`);
        assert.equal(error.type, 'not_found_error');
        return true;
      });
      assert.equal(fake.rejections.at(-1)?.message, message);
      assert.equal(fake.calls.length, 0, 'a refused request never reaches the script');
    }

    it('describes a served model (GET /v1/models/{id}) and lists them all (GET /v1/models)', async () => {
      const info = await client.models.retrieve('claude-sonnet-5-5');
      assert.equal(info.id, 'claude-sonnet-5-5');
      assert.equal(info.type, 'model');
      assert.equal(info.display_name, 'Claude Sonnet 5.5');
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      assert.ok(ids.includes('claude-sonnet-5-5') && ids.includes('claude-haiku-4-5-20251001'), ids.join(', '));
      assert.deepEqual(fake.rejections, []);
    });

    it('answers 404 not_found_error for a model id it does not serve, on the Models API and on /v1/messages', async () => {
      await notFound(client.models.retrieve('claude-sonnet-4-7'), 'model: claude-sonnet-4-7');
      await notFound(client.messages.create(params([user('hi')], { model: 'claude-sonnet-4-7' })), 'model: claude-sonnet-4-7');
      await notFound(client.messages.countTokens({ model: 'sonnet', messages: [user('hi')] }), 'model: sonnet');
      await notFound(client.messages.stream(params([user('hi')], { model: 'claude-5' })).finalMessage(), 'model: claude-5');
    });

    it('refuses a top-level field the Messages API does not document', async () => {
      await rejects(unchecked({ ...params([user('hi')]), max_tokens_to_sample: 10 }), 'max_tokens_to_sample: Extra inputs are not permitted');
      await rejects(unchecked({ ...params([user('hi')]), tool_choise: { type: 'auto' } }), 'tool_choise: Extra inputs are not permitted');
      await assert.rejects(client.messages.countTokens(unchecked({ model: 'claude-sonnet-5-5', messages: [user('hi')], max_tokens: 5 })), Anthropic.BadRequestError);
      assert.equal(fake.rejections.at(-1)?.message, 'max_tokens: Extra inputs are not permitted');
    });

    it('refuses what Claude Sonnet 5.5 no longer takes: forced tool use, thinking disabled or with a budget', async () => {
      await rejects(params([user('hi')], { tool_choice: { type: 'any' } }), 'forced tool use ("any")');
      await rejects(params([user('hi')], { tool_choice: { type: 'tool', name: 'echo' } }), 'forced tool use ("tool")');
      await rejects(params([user('hi')], { thinking: { type: 'disabled' } }), 'thinking.type: "disabled"');
      await rejects(params([user('hi')], { thinking: { type: 'enabled', budget_tokens: 1024 } }), 'thinking.type: "enabled"');
      await client.messages.create(params([user('hi')], { tool_choice: { type: 'none' } }));
      await client.messages.create(params([user('hi')], { tool_choice: { type: 'any' }, model: 'claude-sonnet-4-6' }));
      assert.equal(fake.calls.length, 2);
    });

    it('refuses temperature, top_p and top_k at any value under API version 2026-10-21 (what the SDK sends)', async () => {
      for (const [field, value] of [['temperature', 0.2], ['temperature', 1], ['top_p', 0.9], ['top_k', 5]] as const) {
        await rejects(unchecked({ ...params([user('hi')]), [field]: value }), `${field}: Extra inputs are not permitted`);
      }
    });

    it('under API version 2023-06-01, refuses a non-default sampling parameter only for a model that does not take one', async () => {
      const legacy = { headers: { 'anthropic-version': '2023-06-01' } };
      const withTemperature = (model: string, temperature: number) => unchecked({ ...params([user('hi')], { model }), temperature });
      await assert.rejects(client.messages.create(withTemperature('claude-sonnet-5-5', 0.2), legacy), Anthropic.BadRequestError);
      assert.equal(fake.rejections.at(-1)?.message, '`temperature` is deprecated for this model.');
      await client.messages.create(withTemperature('claude-sonnet-5-5', 1), legacy);
      await client.messages.create(withTemperature('claude-sonnet-4-6', 0.2), legacy);
      assert.equal(fake.calls.length, 2);
    });
  });

  describe('answers as scripted', () => {
    it('streams text in chunks and tool input JSON in pieces, with stop_reason and usage', async () => {
      fake.script([
        fake.reply.tools([{ id: 'toolu_a', name: 'echo', input: { text: 'a "quoted" value', list: [1, 2, 3] } }], {
          text: 'Checking the things you asked about.',
          usage: { input_tokens: 123, output_tokens: 45, cache_read_input_tokens: 7 },
          stream: { chunks: 4, durationMs: 20 },
        }),
      ]);
      const stream = client.messages.stream(params([user('go')]));
      const deltas: string[] = [];
      const jsonPieces: string[] = [];
      stream.on('text', (delta) => deltas.push(delta));
      stream.on('inputJson', (piece) => jsonPieces.push(piece));
      const message = await stream.finalMessage();
      assert.equal(deltas.length, 4);
      assert.equal(deltas.join(''), 'Checking the things you asked about.');
      assert.ok(jsonPieces.length > 1, 'the input arrives in pieces');
      assert.equal(message.stop_reason, 'tool_use');
      assert.deepEqual(message.content[1], {
        type: 'tool_use',
        id: 'toolu_a',
        name: 'echo',
        caller: { type: 'direct' },
        input: { text: 'a "quoted" value', list: [1, 2, 3] },
      });
      assert.equal(message.usage.input_tokens, 123);
      assert.equal(message.usage.output_tokens, 45);
      assert.equal(message.usage.cache_read_input_tokens, 7);
      assert.equal(fake.calls[0]?.stream, true);
    });

    it('sets each stop_reason, with refusal details', async () => {
      for (const stopReason of ['end_turn', 'max_tokens', 'pause_turn'] as const) {
        fake.script(() => fake.reply.text('partial', { stopReason }));
        const message = await client.messages.stream(params([user('go')])).finalMessage();
        assert.equal(message.stop_reason, stopReason);
      }
      fake.script(() => fake.reply.refusal('I can', 'This request was declined.'));
      const refused = await client.messages.stream(params([user('go')])).finalMessage();
      assert.equal(refused.stop_reason, 'refusal');
      assert.equal(refused.stop_details?.explanation, 'This request was declined.');
    });

    it('answers non-streaming requests with a whole Message', async () => {
      fake.script(() => fake.reply.tools([{ name: 'add', input: { a: 1 } }]));
      const message = await client.messages.create(params([user('go')]));
      assert.equal(message.stop_reason, 'tool_use');
      assert.equal(message.content[0]?.type, 'tool_use');
      assert.match((message.content[0]).id, /^toolu_fake_0_0$/);
    });

    it('plays errors: the SDK retries 529 and 429 as told, then gives up with the right class', async () => {
      fake.script(() => fake.reply.overloaded());
      const retrying = fake.client({ maxRetries: 2 });
      await assert.rejects(retrying.messages.stream(params([user('go')])).finalMessage(), Anthropic.OverloadedError);
      assert.equal(fake.calls.length, 3, 'one try and two retries');

      fake.calls.length = 0;
      fake.script((_request, call) => (call === 0 ? fake.reply.error(429, { retryAfterSeconds: 0.01 }) : fake.reply.text('after the wait')));
      const message = await retrying.messages.stream(params([user('go')])).finalMessage();
      assert.equal((message.content[0] as Anthropic.TextBlock).text, 'after the wait');
      assert.equal(fake.requests[fake.requests.length - 2]?.status, 429);

      fake.script(() => fake.reply.error(500));
      await assert.rejects(client.messages.create(params([user('go')])), Anthropic.InternalServerError);
    });

    it('hangs before the headers (the SDK times out) or in the middle of a stream', async () => {
      fake.script(() => fake.reply.hang());
      await assert.rejects(fake.client({ timeout: 100 }).messages.create(params([user('go')])), Anthropic.APIConnectionTimeoutError);

      fake.script(() => fake.reply.hang('Half an ans'));
      const stream = client.messages.stream(params([user('go')]));
      stream.on('text', () => stream.abort());
      await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);
    });

    it('fails a stream midway with an error event, as the API does under load', async () => {
      fake.script(() => fake.reply.streamError('So far so'));
      const stream = client.messages.stream(params([user('go')]));
      let text = '';
      stream.on('text', (delta) => (text += delta));
      await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && error.type === 'overloaded_error');
      assert.equal(text, 'So far so');
    });

    it('reports a script that runs out of replies as a rejection', async () => {
      fake.script([fake.reply.text('only one')]);
      await client.messages.create(params([user('go')]));
      await assert.rejects(client.messages.create(params([user('again')])), Anthropic.InternalServerError);
      assert.match(fake.rejections.at(-1)?.message ?? '', /no reply for call 1/);
    });
  });
});
