// The hub against the real reference servers from npm: one catalog across three servers, every kind of
// content converted for Claude, progress, timeouts, cancellation, and no secrets leaking to servers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { McpHub } from '../../src/mcp/hub.js';
import { TOOL_NAME_PATTERN } from '../../src/mcp/names.js';
import type { ToolCallResult, ToolProgress } from '../../src/mcp/types.js';
import { everything, filesystem, isRunning, memory, recordingLogger, type LogEntry } from '../fixtures/mcp/test-helpers.js';

const SECRET = 'sk-test-secret-123';
const SLACK_SECRET = 'xoxb-test-secret-456';

function textOf(result: ToolCallResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : `<${block.type}>`)).join('\n');
}

describe('McpHub with server-everything, server-filesystem and server-memory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-hub-e2e-'));
  const log: LogEntry[] = [];
  let hub: McpHub;
  const saved = { anthropic: process.env.ANTHROPIC_API_KEY, slack: process.env.SLACK_BOT_TOKEN };

  before(async () => {
    // Secrets in the bot's own environment, as in production: they must not reach any server.
    process.env.ANTHROPIC_API_KEY = SECRET;
    process.env.SLACK_BOT_TOKEN = SLACK_SECRET;
    writeFileSync(path.join(dir, 'hello.txt'), 'hello from the filesystem server\n');
    hub = await McpHub.start(
      [everything({ TEAM_SETTING: 'visible-to-server' }), filesystem(dir), memory(path.join(dir, 'memory.jsonl'))],
      { logger: recordingLogger(log) },
    );
  });

  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
    if (saved.anthropic === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = saved.anthropic;
    if (saved.slack === undefined) delete process.env.SLACK_BOT_TOKEN;
    else process.env.SLACK_BOT_TOKEN = saved.slack;
  });

  it('starts all three and reports them up with their pids', () => {
    const status = hub.status();
    assert.deepEqual(status.map((s) => [s.name, s.state, s.restarts]), [
      ['everything', 'up', 0],
      ['filesystem', 'up', 0],
      ['memory', 'up', 0],
    ]);
    for (const s of status) {
      assert.ok(s.tools > 0, `${s.name} has tools`);
      assert.ok(s.pid !== undefined && isRunning(s.pid), `${s.name} runs`);
    }
  });

  it('offers one catalog with valid, unique, namespaced names that map back exactly', () => {
    const tools = hub.listTools();
    const names = tools.map((t) => t.name);
    assert.equal(new Set(names).size, names.length, 'no collisions');
    for (const t of tools) {
      assert.match(t.name, TOOL_NAME_PATTERN);
      assert.equal(t.name, `${t.server}__${t.tool}`, 'these servers have plain names');
      assert.equal(t.input_schema.type, 'object');
      assert.ok(t.description.length > 0);
    }
    for (const expected of ['everything__echo', 'everything__get-sum', 'filesystem__read_text_file', 'memory__create_entities']) {
      assert.ok(names.includes(expected), expected);
    }
    // It needs the experimental tasks API, which Claude's loop does not use.
    assert.ok(!names.includes('everything__simulate-research-query'));
    assert.equal(hub.status().reduce((n, s) => n + s.tools, 0), tools.length);
    assert.equal(tools.find((t) => t.name === 'everything__echo')?.annotations?.readOnlyHint, true);
  });

  it('calls echo and get-sum', async () => {
    const echo = await hub.callTool('everything__echo', { message: 'hi there' });
    assert.deepEqual(echo, { content: [{ type: 'text', text: 'Echo: hi there' }], isError: false, summary: 'Echo: hi there', text: 'Echo: hi there' });
    const sum = await hub.callTool('everything__get-sum', { a: 2, b: 40 });
    assert.equal(textOf(sum), 'The sum of 2 and 40 is 42.');
  });

  it('reports invalid arguments as a tool error, not a throw', async () => {
    const bad = await hub.callTool('everything__get-sum', { a: 'two' });
    assert.equal(bad.isError, true);
    assert.ok(bad.content.length > 0);
  });

  it('returns get-tiny-image as an image block between its texts', async () => {
    const result = await hub.callTool('everything__get-tiny-image', {});
    assert.deepEqual(result.content.map((b) => b.type), ['text', 'image', 'text']);
    const image = result.content[1];
    assert.ok(image?.type === 'image' && image.source.type === 'base64');
    assert.equal(image.source.media_type, 'image/png');
    assert.ok(Buffer.from(image.source.data, 'base64').subarray(1, 4).toString() === 'PNG');
    assert.match(result.summary, /^3 items: Here's the image you requested:/);
  });

  it('turns resource links and embedded resources into text with their URIs', async () => {
    const links = await hub.callTool('everything__get-resource-links', { count: 2 });
    assert.ok(links.content.every((b) => b.type === 'text'));
    const linkText = textOf(links);
    // (server-everything labels both kinds text/plain in its links)
    assert.match(linkText, /Resource link: Blob Resource 1 <demo:\/\/resource\/dynamic\/blob\/1> \([\w/-]+\)/);
    assert.match(linkText, /Resource link: Text Resource 2 <demo:\/\/resource\/dynamic\/text\/2> \(text\/plain\)/);

    const text = await hub.callTool('everything__get-resource-reference', { resourceType: 'Text', resourceId: 1 });
    assert.match(textOf(text), /^Resource demo:\/\/resource\/dynamic\/text\/1 \(text\/plain\):\n.+/m);
    const blob = await hub.callTool('everything__get-resource-reference', { resourceType: 'Blob', resourceId: 1 });
    assert.match(textOf(blob), /\[resource demo:\/\/resource\/dynamic\/blob\/1: [\w/-]+, \d+ B; binary content not shown\]/);
  });

  it('returns get-structured-content as JSON text', async () => {
    const result = await hub.callTool('everything__get-structured-content', { location: 'Chicago' });
    assert.equal(result.isError, false);
    assert.deepEqual(JSON.parse(textOf(result)), { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 });
  });

  it('does not pass the bot’s secrets to servers, only what the entry names', async () => {
    const result = await hub.callTool('everything__get-env', {});
    const env = JSON.parse(textOf(result)) as Record<string, string>;
    assert.equal(env.TEAM_SETTING, 'visible-to-server');
    assert.ok(!textOf(result).includes(SECRET));
    assert.ok(!textOf(result).includes(SLACK_SECRET));
    assert.equal(env.ANTHROPIC_API_KEY, undefined);
    assert.equal(env.SLACK_BOT_TOKEN, undefined);
    assert.ok(env.PATH, 'the safe defaults are still there');
  });

  it('passes progress notifications to onProgress', async () => {
    const progress: ToolProgress[] = [];
    const result = await hub.callTool(
      'everything__trigger-long-running-operation',
      { duration: 0.4, steps: 4 },
      { onProgress: (p) => progress.push(p) },
    );
    assert.equal(result.isError, false);
    assert.match(textOf(result), /Long running operation completed/);
    // The SDK handles notifications a microtask later than responses, so the last one can arrive after
    // the result and be dropped; the ones before it always come, in order.
    assert.ok(progress.length >= 3, `got ${progress.length} progress notifications`);
    assert.deepEqual(progress.map((p) => [p.progress, p.total]), [[1, 4], [2, 4], [3, 4], [4, 4]].slice(0, progress.length));
  });

  it('resolves a call that runs too long as a timed-out tool error', async () => {
    const result = await hub.callTool('everything__trigger-long-running-operation', { duration: 3, steps: 1 }, { timeoutMs: 300 });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /timed out after 0\.3 s/);
    // The server is still fine afterwards.
    assert.equal(textOf(await hub.callTool('everything__echo', { message: 'still here' })), 'Echo: still here');
  });

  it('honours an AbortSignal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await hub.callTool('everything__trigger-long-running-operation', { duration: 3, steps: 3 }, { signal: controller.signal });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /cancelled/);
    const already = await hub.callTool('everything__echo', { message: 'x' }, { signal: AbortSignal.abort() });
    assert.equal(already.isError, true);
    assert.match(textOf(already), /cancelled/);
  });

  it('works with the filesystem and memory servers', async () => {
    const read = await hub.callTool('filesystem__read_text_file', { path: path.join(dir, 'hello.txt') });
    assert.equal(read.isError, false);
    assert.match(textOf(read), /hello from the filesystem server/);
    const outside = await hub.callTool('filesystem__read_text_file', { path: '/etc/hostname' });
    assert.equal(outside.isError, true);

    const created = await hub.callTool('memory__create_entities', {
      entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote the first program'] }],
    });
    assert.equal(created.isError, false);
    const graph = await hub.callTool('memory__read_graph', {});
    assert.match(textOf(graph), /wrote the first program/);
  });

  it('resolves unknown tools as errors', async () => {
    const result = await hub.callTool('nope__nothing', {});
    assert.equal(result.isError, true);
    assert.match(textOf(result), /unknown tool "nope__nothing"/);
  });

  it('never logs the secrets it was kept from', () => {
    const all = JSON.stringify(log);
    assert.ok(!all.includes(SECRET));
    assert.ok(!all.includes(SLACK_SECRET));
    assert.ok(log.some((e) => e.msg === 'tool call' && e.fields.tool === 'echo'));
  });
});
