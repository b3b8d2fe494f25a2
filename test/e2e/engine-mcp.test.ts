// The agent loop end to end over real MCP servers: the real McpHub running server-everything,
// server-filesystem and server-memory from npm, the real Anthropic SDK talking to the strict fake
// Messages API, and conversations in a real sqlite file. Each case is something a user would notice:
// tool results that go missing or arrive out of order, a request the API refuses, a secret leaking
// into what Claude reads, a forgotten conversation.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { createAgent, createConversations, type Agent, type AgentOptions, type Transcript } from '../../src/agent/index.js';
import { silentLogger } from '../../src/log.js';
import { McpHub } from '../../src/mcp/index.js';
import { openStore } from '../../src/store.js';
import { startFakeAnthropic, type FakeAnthropic, type MessagesRequest } from '../fakes/anthropic.js';
import { recordingSink, TEST_MODEL } from '../fakes/anthropic-harness.js';
import { everything, filesystem, isRunning, memory, until } from '../fixtures/mcp/test-helpers.js';

// Distinctive values for the bot's own secrets: none may reach a server, so none may reach Claude.
const SECRETS = {
  ANTHROPIC_API_KEY: 'sk-ant-engine-mcp-secret-4f1d9c',
  SLACK_BOT_TOKEN: 'xoxb-engine-mcp-secret-77b2e0',
  SLACK_APP_TOKEN: 'xapp-engine-mcp-secret-a93c51',
  SLACK_SIGNING_SECRET: 'signing-engine-mcp-secret-5e08aa',
} as const;
type SecretName = keyof typeof SECRETS;

type ToolResult = Anthropic.ToolResultBlockParam;
type ResultBlock = Exclude<ToolResult['content'], string | undefined>[number];

/** The namespaced name Claude sees for `server`'s `tool`, read from the hub's catalog. */
function nameOf(hub: McpHub, server: string, tool: string): string {
  const found = hub.listTools().find((t) => t.server === server && t.tool === tool);
  assert.ok(found, `the catalog has ${server}/${tool}`);
  return found.name;
}

function blocksOf(message: Anthropic.MessageParam | undefined): Anthropic.ContentBlockParam[] {
  if (!message) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/** The tool_result blocks of a request's last message (what Claude receives after a tool round). */
function toolResultsOf(request: MessagesRequest | undefined): ToolResult[] {
  return blocksOf(request?.messages.at(-1)).filter((b): b is ToolResult => b.type === 'tool_result');
}

function resultBlocks(result: ToolResult | undefined): ResultBlock[] {
  const content = result?.content;
  if (content === undefined) return [];
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function resultText(result: ToolResult | undefined): string {
  return resultBlocks(result)
    .map((b) => (b.type === 'text' ? b.text : `<${b.type}>`))
    .join('\n');
}

/** Every tool_result in a transcript answers a tool_use of the message right before it. */
function assertPairsIntact(messages: Transcript): void {
  messages.forEach((message, i) => {
    for (const block of blocksOf(message)) {
      if (block.type !== 'tool_result') continue;
      const previous = messages[i - 1];
      assert.equal(previous?.role, 'assistant', `message ${i} has a tool_result after a ${previous?.role ?? 'missing'} message`);
      const ids = blocksOf(previous).flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
      assert.ok(ids.includes(block.tool_use_id), `tool_result ${block.tool_use_id} in message ${i} has its tool_use just before it`);
    }
  });
}

describe('the agent loop over real MCP servers and the fake Anthropic API', () => {
  let fake: FakeAnthropic;
  let hub: McpHub;
  let dir: string;
  const saved = new Map<SecretName, string | undefined>();

  const agent = (options: Partial<AgentOptions> = {}): Agent =>
    createAgent({ client: fake.client(), tools: hub, model: TEST_MODEL, maxTokens: 1024, system: 'You are a test assistant.', logger: silentLogger, ...options });
  const run = (userText: string, history: Transcript = [], options: Partial<AgentOptions> = {}) => {
    const sink = recordingSink();
    return agent(options)
      .runTurn({ history, userText, sink })
      .then((result) => ({ result, sink }));
  };

  before(async () => {
    // The bot's own secrets are in its environment, as in production, before any server starts.
    for (const [name, value] of Object.entries(SECRETS) as [SecretName, string][]) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'engine-mcp-')));
    writeFileSync(path.join(dir, 'notes.txt'), 'the launch is on Tuesday\n');
    fake = await startFakeAnthropic();
    hub = await McpHub.start([everything(), filesystem(dir), memory(path.join(dir, 'memory.jsonl'))], { logger: silentLogger });
    assert.deepEqual(
      hub.status().map((s) => [s.name, s.state]),
      [
        ['everything', 'up'],
        ['filesystem', 'up'],
        ['memory', 'up'],
      ],
    );
  });

  after(async () => {
    await hub?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  afterEach(() => {
    assert.deepEqual(fake.rejections, [], 'the fake API accepted every request');
    fake.calls.length = 0;
  });

  it('sends the catalog of all three servers to Claude under their namespaced names', async () => {
    fake.script([fake.reply.text('Hello.')]);
    const { result } = await run('hi');
    assert.equal(result.status, 'done');
    const sent = (fake.calls[0]?.tools ?? []).flatMap((t) => ('name' in t ? [t.name] : []));
    assert.deepEqual(sent, hub.listTools().map((t) => t.name));
    for (const server of ['everything', 'filesystem', 'memory']) {
      assert.ok(hub.listTools().some((t) => t.server === server && sent.includes(t.name)), `${server}'s tools are offered`);
    }
  });

  it('runs two tool calls of one response on two servers, and returns both results in one user message in tool_use order', async () => {
    // The first call is the slow one, so results arriving in completion order would come back swapped.
    const slow = nameOf(hub, 'everything', 'trigger-long-running-operation');
    const read = nameOf(hub, 'filesystem', 'read_text_file');
    fake.script([
      fake.reply.tools(
        [
          { id: 'toolu_slow', name: slow, input: { duration: 0.3, steps: 1 } },
          { id: 'toolu_read', name: read, input: { path: path.join(dir, 'notes.txt') } },
        ],
        { text: 'Let me check two things.' },
      ),
      fake.reply.text('The launch is on Tuesday.'),
    ]);
    const { result, sink } = await run('When is the launch?');

    assert.equal(result.status, 'done');
    assert.equal(result.text, 'The launch is on Tuesday.');
    assert.equal(fake.calls.length, 2);
    const second = fake.calls[1];
    assert.equal(second?.messages.at(-1)?.role, 'user');
    const blocks = blocksOf(second?.messages.at(-1));
    assert.deepEqual(
      blocks.map((b) => (b.type === 'tool_result' ? b.tool_use_id : b.type)),
      ['toolu_slow', 'toolu_read'],
      'one user message holding exactly both results, in the order Claude asked',
    );
    const [slowResult, readResult] = toolResultsOf(second);
    assert.match(resultText(slowResult), /Long running operation completed/);
    assert.match(resultText(readResult), /the launch is on Tuesday/);
    assert.ok(!slowResult?.is_error && !readResult?.is_error);

    // Both started before either finished: they ran side by side.
    const kinds = sink.events.filter((e) => e.type === 'tool_started' || e.type === 'tool_finished').map((e) => e.type);
    assert.deepEqual(kinds.slice(0, 2), ['tool_started', 'tool_started']);
    assert.deepEqual(
      sink.of('tool_started').map((e) => `${e.server}/${e.tool}`),
      ['everything/trigger-long-running-operation', 'filesystem/read_text_file'],
    );
  });

  it('goes three tool rounds in a row, each round seeing the previous results, then answers', async () => {
    const file = path.join(dir, 'plan.txt');
    fake.script((request, call) => {
      if (call === 0) return fake.reply.tools([{ name: nameOf(hub, 'filesystem', 'write_file'), input: { path: file, content: 'step one: ship it' } }]);
      if (call === 1) return fake.reply.tools([{ name: nameOf(hub, 'filesystem', 'read_text_file'), input: { path: file } }]);
      if (call === 2) {
        // Round 3 depends on what round 2 read back from the disk.
        const read = resultText(toolResultsOf(request)[0]);
        return fake.reply.tools([{ name: nameOf(hub, 'everything', 'echo'), input: { message: `I read: ${read}` } }]);
      }
      return fake.reply.text(`Done: ${resultText(toolResultsOf(request)[0])}`);
    });
    const { result, sink } = await run('Write the plan, read it back and echo it.');

    assert.equal(result.status, 'done');
    assert.equal(fake.calls.length, 4);
    assert.equal(result.rounds, 4);
    assert.equal(readFileSync(file, 'utf8'), 'step one: ship it');
    assert.equal(result.text, 'Done: Echo: I read: step one: ship it');
    assert.deepEqual(
      result.messages.map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant'],
    );
    // Each call carries the whole turn so far: the last one has all three tool pairs.
    assert.deepEqual(
      fake.calls.map((c) => c.messages.length),
      [1, 3, 5, 7],
    );
    assertPairsIntact(fake.calls[3]?.messages ?? []);
    assert.deepEqual(
      sink.of('tool_finished').map((e) => [e.tool, e.ok]),
      [
        ['write_file', true],
        ['read_text_file', true],
        ['echo', true],
      ],
    );
    assert.equal(sink.of('done').length, 1);
  });

  it('sends a failing tool back as is_error with the reason, and the turn still answers', async () => {
    const missing = path.join(dir, 'no-such-file.txt');
    fake.script([
      fake.reply.tools([{ id: 'toolu_missing', name: nameOf(hub, 'filesystem', 'read_text_file'), input: { path: missing } }]),
      fake.reply.text('That file does not exist.'),
    ]);
    const { result, sink } = await run('Read no-such-file.txt');

    const [failed] = toolResultsOf(fake.calls[1]);
    assert.equal(failed?.tool_use_id, 'toolu_missing');
    assert.equal(failed?.is_error, true);
    assert.match(resultText(failed), /ENOENT|no such file|not found/i);
    assert.equal(result.status, 'done');
    assert.equal(result.text, 'That file does not exist.');
    assert.equal(sink.of('tool_finished')[0]?.ok, false);
    assert.equal(sink.of('failed').length, 0);
  });

  it('gives Claude the image of get-tiny-image as a base64 image/png block inside the tool_result', async () => {
    fake.script([fake.reply.tools([{ name: nameOf(hub, 'everything', 'get-tiny-image') }]), fake.reply.text('A tiny image.')]);
    const { result } = await run('Show me an image');

    assert.equal(result.status, 'done');
    const [imageResult] = toolResultsOf(fake.calls[1]);
    assert.ok(!imageResult?.is_error);
    const images = resultBlocks(imageResult).filter((b): b is Anthropic.ImageBlockParam => b.type === 'image');
    assert.equal(images.length, 1);
    const source = images[0]?.source;
    assert.ok(source?.type === 'base64', 'a base64 image');
    assert.equal(source.media_type, 'image/png');
    assert.equal(Buffer.from(source.data, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
  });

  it('turns resource links and embedded resources into text with their URIs, sending no raw MCP block types', async () => {
    fake.script([
      fake.reply.tools([
        { id: 'toolu_links', name: nameOf(hub, 'everything', 'get-resource-links'), input: { count: 2 } },
        { id: 'toolu_text', name: nameOf(hub, 'everything', 'get-resource-reference'), input: { resourceType: 'Text', resourceId: 1 } },
        { id: 'toolu_blob', name: nameOf(hub, 'everything', 'get-resource-reference'), input: { resourceType: 'Blob', resourceId: 2 } },
      ]),
      fake.reply.text('Here are the resources.'),
    ]);
    const { result } = await run('What resources are there?');

    assert.equal(result.status, 'done');
    const [links, text, blob] = toolResultsOf(fake.calls[1]);
    for (const r of [links, text, blob]) {
      assert.ok(!r?.is_error, resultText(r));
      assert.deepEqual([...new Set(resultBlocks(r).map((b) => b.type))], ['text'], `${r?.tool_use_id} holds only text`);
    }
    assert.match(resultText(links), /demo:\/\/resource\/dynamic\/blob\/1/);
    assert.match(resultText(links), /demo:\/\/resource\/dynamic\/text\/2/);
    assert.match(resultText(text), /demo:\/\/resource\/dynamic\/text\/1/);
    assert.match(resultText(blob), /demo:\/\/resource\/dynamic\/blob\/2/);
    const body = JSON.stringify(fake.calls[1]);
    assert.ok(!body.includes('"type":"resource_link"'), 'no resource_link block is sent');
    assert.ok(!body.includes('"type":"resource"'), 'no resource block is sent');
  });

  it('keeps the bot’s secrets out of what Claude reads, even through get-env', async () => {
    fake.script([fake.reply.tools([{ name: nameOf(hub, 'everything', 'get-env') }]), fake.reply.text('Here is the environment.')]);
    const { result } = await run('Print the server environment');

    assert.equal(result.status, 'done');
    const [envResult] = toolResultsOf(fake.calls[1]);
    const env = resultText(envResult);
    assert.ok(!envResult?.is_error);
    assert.match(env, /"PATH"/, 'the tool did return an environment');
    const everything = JSON.stringify(fake.requests.map((r) => r.body));
    for (const [name, secret] of Object.entries(SECRETS)) {
      assert.equal(process.env[name], secret, `${name} is set in the bot's own environment`);
      assert.ok(!env.includes(secret), `${name}'s value is not in the tool_result`);
      assert.ok(!env.includes(name), `${name} is not even named in the tool_result`);
      assert.ok(!everything.includes(secret), `${name}'s value is in no request the fake received`);
    }
  });

  it('writes the history to sqlite, reads it back after a reopen, and sends the earlier exchange with a follow-up', async () => {
    const url = `sqlite://${path.join(dir, 'h.sqlite')}`;
    const sum = nameOf(hub, 'everything', 'get-sum');
    fake.script([fake.reply.tools([{ id: 'toolu_sum', name: sum, input: { a: 19, b: 23 } }]), fake.reply.text('19 + 23 = 42.')]);
    let store = await openStore(url);
    let conversations = createConversations({ store, agent: agent(), logger: silentLogger });
    const first = await conversations.runTurn('thread-1', 'What is 19 + 23?', recordingSink());
    assert.equal(first.status, 'done');
    assert.equal(first.saved, true);
    assert.equal(first.text, '19 + 23 = 42.');
    await store.disconnect();

    store = await openStore(url);
    try {
      conversations = createConversations({ store, agent: agent(), logger: silentLogger });
      const stored = await conversations.history('thread-1');
      assert.deepEqual(stored, first.messages);
      assert.deepEqual(
        stored.map((m) => m.role),
        ['user', 'assistant', 'user', 'assistant'],
      );
      assert.match(JSON.stringify(stored[2]), /The sum of 19 and 23 is 42/);

      fake.calls.length = 0;
      fake.script([fake.reply.text('You asked about 19 + 23.')]);
      const followUp = await conversations.runTurn('thread-1', 'What did I ask before?', recordingSink());
      assert.equal(followUp.status, 'done');
      const sent = fake.calls[0]?.messages ?? [];
      assert.deepEqual(sent.slice(0, 4), stored, 'the earlier exchange, tool round included, goes to Claude');
      assert.deepEqual(blocksOf(sent[4]), [{ type: 'text', text: 'What did I ask before?' }]);
      assert.equal((await conversations.history('thread-1')).length, 6);
    } finally {
      await store.disconnect();
    }
  });

  it('trims a long history with tool rounds to the budget without orphaning a tool_result', async () => {
    const echo = nameOf(hub, 'everything', 'echo');
    const bulky = (turn: number) => `turn ${turn}: ${'lorem ipsum dolor sit amet '.repeat(60)}`;
    // Every question gets a tool round with a bulky input and result, then an answer.
    fake.script((request) => {
      const last = request.messages.at(-1);
      if (toolResultsOf(request).length > 0) return fake.reply.text(`Echoed. ${'and some words '.repeat(40)}`);
      const question = blocksOf(last).find((b): b is Anthropic.TextBlockParam => b.type === 'text')?.text ?? '';
      const turn = Number(/\d+/.exec(question)?.[0] ?? 0);
      return fake.reply.tools([{ name: echo, input: { message: bulky(turn) } }]);
    });
    const store = await openStore('memory://');
    const conversations = createConversations({ store, agent: agent({ historyBudgetTokens: 1500 }), logger: silentLogger });
    for (let turn = 1; turn <= 6; turn++) {
      const result = await conversations.runTurn('long', `echo number ${turn}`, recordingSink());
      assert.equal(result.status, 'done', `turn ${turn}`);
    }

    const full = await conversations.history('long');
    assert.equal(full.length, 6 * 4, 'the store keeps the whole conversation');
    const lastSent = fake.calls.at(-1)?.messages ?? [];
    assert.ok(lastSent.length < full.length - 1, `the last request was trimmed (${lastSent.length} of ${full.length - 1} messages)`);
    assert.ok(lastSent.length >= 3, 'the current turn is kept whole');
    assert.equal(lastSent[0]?.role, 'user');
    assert.ok(!blocksOf(lastSent[0]).some((b) => b.type === 'tool_result'), 'it starts with a question, not a tool_result');
    assertPairsIntact(lastSent);
    assert.deepEqual(lastSent, full.slice(full.length - 1 - lastSent.length, -1), 'what is sent is the newest part of the stored history');
    // Every request of the six turns, trimmed or not, was one the API accepts (checked in afterEach).
    for (const call of fake.calls) assertPairsIntact(call.messages);
  });
});

describe('the agent loop when a server is killed mid-session', () => {
  let fake: FakeAnthropic;
  let hub: McpHub;
  let dir: string;

  before(async () => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'engine-mcp-kill-')));
    fake = await startFakeAnthropic();
    hub = await McpHub.start([memory(path.join(dir, 'memory.jsonl'))], { logger: silentLogger, restart: { initialDelayMs: 100, maxDelayMs: 500 } });
  });
  after(async () => {
    await hub?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the next turn with a restarted server after the old one was SIGKILLed', async () => {
    const agent = createAgent({ client: fake.client(), tools: hub, model: TEST_MODEL, maxTokens: 1024, logger: silentLogger });
    const store = await openStore('memory://');
    const conversations = createConversations({ store, agent, logger: silentLogger });

    fake.script([
      fake.reply.tools([
        { name: nameOf(hub, 'memory', 'create_entities'), input: { entities: [{ name: 'Grace', entityType: 'person', observations: ['wrote COBOL'] }] } },
      ]),
      fake.reply.text('Noted.'),
    ]);
    const first = await conversations.runTurn('t', 'Remember Grace wrote COBOL', recordingSink());
    assert.equal(first.status, 'done');
    assert.ok(existsSync(path.join(dir, 'memory.jsonl')));

    const oldPid = hub.status()[0]?.pid;
    assert.ok(oldPid !== undefined && isRunning(oldPid), 'the memory server runs');
    process.kill(oldPid, 'SIGKILL');
    await until(() => hub.status()[0]?.pid !== oldPid, 'the hub notices the killed server');

    fake.calls.length = 0;
    fake.script([fake.reply.tools([{ id: 'toolu_graph', name: nameOf(hub, 'memory', 'read_graph') }]), fake.reply.text('Grace wrote COBOL.')]);
    const sink = recordingSink();
    const second = await conversations.runTurn('t', 'What do you know about Grace?', sink);

    assert.equal(second.status, 'done');
    assert.equal(second.text, 'Grace wrote COBOL.');
    const [graph] = toolResultsOf(fake.calls[1]);
    assert.equal(graph?.tool_use_id, 'toolu_graph');
    assert.ok(!graph?.is_error, resultText(graph));
    assert.match(resultText(graph), /wrote COBOL/);
    assert.equal(sink.of('tool_finished')[0]?.ok, true);
    const [status] = hub.status();
    assert.equal(status?.state, 'up');
    assert.notEqual(status?.pid, oldPid);
    assert.deepEqual(fake.rejections, []);
  });
});
