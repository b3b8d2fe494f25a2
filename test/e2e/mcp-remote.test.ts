// Remote servers: server-everything over Streamable HTTP and over the older SSE transport (found by
// falling back), a server restarted in the middle of a session, questions tied to the right call over
// HTTP, and headers from the servers file (with ${VAR}) reaching a server that checks them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpHub } from '../../src/mcp/hub.js';
import { parseServersFile } from '../../src/mcp/servers-file.js';
import type { ElicitationRequest, RemoteServerConfig, ServerState, ToolCallResult } from '../../src/mcp/types.js';
import { startHttpFixture, type HttpFixture } from '../fixtures/mcp/http-fixture.js';
import { freePort, recordingLogger, spawnEverything, until, type LogEntry, type SpawnedServer } from '../fixtures/mcp/test-helpers.js';

const restart = { initialDelayMs: 100, maxDelayMs: 400 };

function textOf(result: ToolCallResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : `<${block.type}>`)).join('\n');
}

const remote = (name: string, url: string, extra: Partial<RemoteServerConfig> = {}): RemoteServerConfig => ({
  kind: 'remote',
  name,
  url,
  headers: {},
  ...extra,
});

describe('McpHub with server-everything over Streamable HTTP', () => {
  const log: LogEntry[] = [];
  const asked: { request: ElicitationRequest; context: unknown }[] = [];
  let port: number;
  let server: SpawnedServer;
  let hub: McpHub;

  before(async () => {
    port = await freePort();
    server = await spawnEverything('streamableHttp', port);
    hub = await McpHub.start([remote('web', server.url)], {
      logger: recordingLogger(log),
      restart,
      onElicitation: async (request, context) => {
        asked.push({ request, context });
        // Slow enough that both calls below are waiting on the person at the same time.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { action: 'accept', content: { name: `answered for ${String(context)}` } };
      },
    });
    await until(() => hub.listTools().some((t) => t.name === 'web__trigger-elicitation-request'), 'the elicitation tool');
  });

  after(async () => {
    await hub.close();
    await server.kill();
  });

  it('connects, lists the catalog and calls tools', async () => {
    const [status] = hub.status();
    assert.deepEqual(status && [status.kind, status.transport, status.state, status.pid], ['remote', 'http', 'up', undefined]);
    assert.ok(hub.listTools().some((t) => t.name === 'web__get-sum'));
    assert.equal(textOf(await hub.callTool('web__echo', { message: 'over http' })), 'Echo: over http');
    const image = await hub.callTool('web__get-tiny-image', {});
    assert.deepEqual(image.content.map((b) => b.type), ['text', 'image', 'text']);
  });

  it('ties each question to its own call, even with two calls in flight', async () => {
    asked.length = 0;
    const [alice, bob] = await Promise.all([
      hub.callTool('web__trigger-elicitation-request', {}, { context: 'alice' }),
      hub.callTool('web__trigger-elicitation-request', {}, { context: 'bob' }),
    ]);
    assert.deepEqual(asked.map((a) => a.context).sort(), ['alice', 'bob']);
    assert.match(textOf(alice), /- Name: answered for alice/);
    assert.match(textOf(bob), /- Name: answered for bob/);
    assert.equal(asked[0]?.request.server, 'web');
  });

  it('notices the server going away, reconnects when it is back on the same port, and the next call works', async () => {
    const seen = new Set<ServerState>();
    await server.kill();
    await until(() => {
      const state = hub.status()[0]?.state;
      if (state) seen.add(state);
      return state !== 'up';
    }, 'the hub notices the lost connection');
    assert.ok(seen.has('restarting'), [...seen].join());
    assert.equal(hub.status()[0]?.lastError, 'the connection to the server was lost');

    server = await spawnEverything('streamableHttp', port);
    const result = await hub.callTool('web__echo', { message: 'after the restart' });
    assert.equal(result.isError, false, textOf(result));
    assert.equal(textOf(result), 'Echo: after the restart');
    const [status] = hub.status();
    assert.deepEqual(status && [status.state, status.restarts, status.transport], ['up', 1, 'http']);
    assert.ok(log.some((e) => e.level === 'warn' && e.msg === 'mcp server connection lost; reconnecting' && e.fields.server === 'web'));
    // The new session has our capabilities too.
    await until(() => hub.listTools().some((t) => t.name === 'web__trigger-elicitation-request'), 'the elicitation tool again');
  });
});

describe('McpHub with server-everything over SSE', () => {
  let port: number;
  let server: SpawnedServer;

  before(async () => {
    port = await freePort();
    server = await spawnEverything('sse', port);
  });

  after(() => server.kill());

  it('falls back to SSE when Streamable HTTP gets a 4xx, and reconnects after the server restarts', async () => {
    const log: LogEntry[] = [];
    const hub = await McpHub.start([remote('legacy', server.url)], { logger: recordingLogger(log), restart });
    try {
      const [status] = hub.status();
      assert.deepEqual(status && [status.state, status.transport], ['up', 'sse']);
      assert.equal(textOf(await hub.callTool('legacy__echo', { message: 'over sse' })), 'Echo: over sse');

      await server.kill();
      await until(() => hub.status()[0]?.state !== 'up', 'the hub notices the lost stream');
      server = await spawnEverything('sse', port);
      const result = await hub.callTool('legacy__echo', { message: 'sse again' });
      assert.equal(textOf(result), 'Echo: sse again');
      assert.equal(hub.status()[0]?.transport, 'sse');
    } finally {
      await hub.close();
    }
  });

  it('does not fall back when the entry says "http", and says what the server answered', async () => {
    const hub = await McpHub.start([remote('strict', server.url, { transport: 'http' })], { logger: recordingLogger([]), restart });
    try {
      const [status] = hub.status();
      assert.equal(status?.state, 'failed');
      assert.equal(status?.lastError, `http://127.0.0.1:${port} answered HTTP 404; check the entry's "url"`);
    } finally {
      await hub.close();
    }
  });
});

describe('McpHub with headers from the servers file', () => {
  const TOKEN = 's3cret-fixture-token';
  let fixture: HttpFixture;

  before(async () => {
    fixture = await startHttpFixture({ token: TOKEN });
  });

  after(() => fixture.close());

  const entry = (headers: Record<string, string>) =>
    parseServersFile(JSON.stringify({ mcpServers: { guarded: { url: '${FIXTURE_URL}', headers } } }), {
      file: 'mcp.json',
      env: { FIXTURE_URL: fixture.url, FIXTURE_TOKEN: TOKEN },
    });

  it('sends the expanded headers with every request', async () => {
    const log: LogEntry[] = [];
    const before = fixture.headers.length;
    const hub = await McpHub.start(entry({ Authorization: 'Bearer ${FIXTURE_TOKEN}', 'X-Team': 'bots' }), { logger: recordingLogger(log) });
    try {
      const result = await hub.callTool('guarded__whoami', {});
      assert.deepEqual(JSON.parse(textOf(result)), { authorization: `Bearer ${TOKEN}`, team: 'bots', session: true });
      const requests = fixture.headers.slice(before);
      assert.ok(requests.length >= 3, 'initialize, initialized, tools/list, the call');
      assert.ok(requests.every((h) => h.authorization === `Bearer ${TOKEN}` && h['x-team'] === 'bots'));
    } finally {
      await hub.close();
    }
    assert.ok(!JSON.stringify(log).includes(TOKEN), 'the token is never logged');
  });

  it('reports a server that needs a token it was not given, and does not retry it', async () => {
    const hub = await McpHub.start(entry({}), { logger: recordingLogger([]), restart });
    try {
      const [status] = hub.status();
      assert.equal(status?.state, 'failed');
      assert.match(status?.lastError ?? '', /^http:\/\/127\.0\.0\.1:\d+ needs authorization \(HTTP 401\); put a token in the entry's "headers"/);
      assert.match(status?.lastError ?? '', /set TOKEN_ENCRYPTION_KEY so each person signs in with OAuth/);
    } finally {
      await hub.close();
    }
  });

  it('a server that forgot the session (no stream to notice it by): the call is sent again on a new session', async () => {
    const hub = await McpHub.start(entry({ Authorization: 'Bearer ${FIXTURE_TOKEN}' }), { logger: recordingLogger([]), restart });
    try {
      assert.equal((JSON.parse(textOf(await hub.callTool('guarded__whoami', {}))) as { session?: unknown }).session, true);
      const sessions = fixture.sessionsCreated();
      fixture.forgetSessions();
      const result = await hub.callTool('guarded__whoami', {});
      assert.equal(result.isError, false, textOf(result));
      assert.equal(fixture.sessionsCreated(), sessions + 1);
      assert.deepEqual(hub.status().map((s) => [s.state, s.restarts]), [['up', 1]]);
    } finally {
      await hub.close();
    }
  });
});

// Many services put their secret in the URL's path (https://host/<token>/mcp), some in its query or
// user info: the bot shows a remote server as scheme, host and port only, wherever it shows it.
describe('a remote server whose URL carries a secret', () => {
  const SECRETS = ['sk-PATHSECRET', 'QUERYSECRET', 'DEADSECRET', 'USERSECRET', 'PWSECRET'];
  let fixture: HttpFixture;
  before(async () => {
    fixture = await startHttpFixture();
  });
  after(() => fixture.close());

  it('never logs, reports or tells Claude the path, query or user info', async () => {
    const origin = new URL(fixture.url).origin;
    const dead = await freePort();
    const log: LogEntry[] = [];
    const hub = await McpHub.start(
      [
        remote('vault', `${origin}/sk-PATHSECRET/mcp?key=QUERYSECRET`),
        remote('dead', `http://127.0.0.1:${dead}/DEADSECRET/mcp`),
        remote('creds', `http://USERSECRET:PWSECRET@127.0.0.1:${dead}/mcp`),
      ],
      { logger: recordingLogger(log), restart, restartWaitMs: 300 },
    );
    const told: string[] = [];
    try {
      const ok = await hub.callTool('vault__whoami', {});
      assert.equal(ok.isError, false, textOf(ok));
      const status = Object.fromEntries(hub.status().map((s) => [s.name, s]));
      assert.equal(status.dead?.lastError, `could not connect to http://127.0.0.1:${dead}: connection refused`);
      await fixture.close();
      const failed = await hub.callTool('vault__whoami', {});
      assert.equal(failed.isError, true);
      told.push(textOf(failed));
      await assert.rejects(hub.readResource('x://y', 'creds'), (err: Error) => told.push(err.message) > 0 && /creds/.test(err.message));
      await until(() => hub.status().find((s) => s.name === 'vault')?.state !== 'up', 'vault noticed as down');
      told.push(JSON.stringify(hub.status()), JSON.stringify(hub.health()));
    } finally {
      await hub.close();
    }
    const everything = JSON.stringify(log) + told.join('\n');
    for (const secret of SECRETS) assert.ok(!everything.includes(secret), `${secret} leaked: ${everything.slice(0, 2000)}`);
    assert.ok(everything.includes(`http://127.0.0.1:${dead}`), 'a server is still named by its scheme, host and port');
  });
});
