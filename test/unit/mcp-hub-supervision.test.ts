// The hub's supervision logic against fake sessions: restarts, backoff, giving up, on-demand
// reconnects and catalog events, without spawning processes (the e2e tests do that for real).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { McpHub, type McpHubOptions } from '../../src/mcp/hub.js';
import { backoffDelay } from '../../src/mcp/restart-policy.js';
import { ServerStartError, SessionLostError, type McpSession, type McpTool, type OpenSession, type SessionHooks } from '../../src/mcp/session.js';
import type { ServerConfig, ToolDefinition } from '../../src/mcp/types.js';
import { recordingLogger, until, type LogEntry } from '../fixtures/mcp/test-helpers.js';

const tool = (name: string): McpTool => ({ name, description: `${name} tool`, inputSchema: { type: 'object' } });
const server = (name: string): ServerConfig => ({ kind: 'stdio', name, command: 'fake', args: [], env: {} });
const remote = (name: string): ServerConfig => ({ kind: 'remote', name, url: `https://${name}.example.com/mcp`, headers: {} });

/** Fake servers whose sessions the test can crash, break and change. */
class FakeServers {
  readonly starts = new Map<string, number>();
  readonly broken = new Set<string>();
  /** Fail to start with a passing cause (as an unreachable remote server does). */
  readonly unreachable = new Set<string>();
  readonly hanging = new Set<string>();
  /** The next call on this server finds its session gone (the server restarted and forgot it). */
  readonly forgetful = new Set<string>();
  readonly tools = new Map<string, McpTool[]>();
  readonly live = new Map<string, SessionHooks>();
  readonly closed: string[] = [];
  readonly calls: { server: string; tool: string; session: number }[] = [];

  readonly open: OpenSession = async (config, hooks, options) => {
    const generation = (this.starts.get(config.name) ?? 0) + 1;
    this.starts.set(config.name, generation);
    if (this.hanging.has(config.name)) {
      await new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    if (this.broken.has(config.name)) throw new ServerStartError('exited before completing the MCP handshake', ['line 1', 'Error: no key']);
    if (this.unreachable.has(config.name)) throw new ServerStartError('could not connect: connection refused', [], true);
    this.live.set(config.name, hooks);
    const refuse = async (): Promise<never> => {
      throw new Error('not offered');
    };
    const session: McpSession = {
      pid: undefined,
      transport: config.kind === 'stdio' ? 'stdio' : 'http',
      offers: { prompts: false, resources: false },
      listTools: async () => this.tools.get(config.name) ?? [tool('ping')],
      callTool: async (name) => {
        this.calls.push({ server: config.name, tool: name, session: generation });
        if (this.forgetful.delete(config.name)) {
          // As the real session does: report the loss (onClosed), then fail with SessionLostError.
          this.crash(config.name);
          throw new SessionLostError('Streamable HTTP error: Error POSTing to endpoint: session not found');
        }
        return { content: [{ type: 'text', text: `${config.name}/${name} ok` }] };
      },
      listPrompts: refuse,
      getPrompt: refuse,
      listResources: refuse,
      listResourceTemplates: refuse,
      readResource: refuse,
      diagnostics: async () => ['last words'],
      close: async () => {
        this.closed.push(config.name);
      },
    };
    return session;
  };

  crash(name: string): void {
    const hooks = this.live.get(name);
    assert.ok(hooks, `${name} is not live`);
    this.live.delete(name);
    hooks.onClosed();
  }
}

function startHub(fakes: FakeServers, names: string[], extra: Partial<McpHubOptions> = {}, log: LogEntry[] = []) {
  return McpHub.start(names.map(server), {
    logger: recordingLogger(log),
    openSession: fakes.open,
    restart: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 3 },
    ...extra,
  });
}

const stateOf = (hub: McpHub, name: string) => hub.status().find((s) => s.name === name)?.state;

describe('McpHub supervision (fake sessions)', () => {
  it('builds one namespaced catalog and routes calls to the right server', async () => {
    const fakes = new FakeServers();
    fakes.tools.set('b', [tool('ping'), tool('odd.name')]);
    const hub = await startHub(fakes, ['a', 'b']);
    assert.deepEqual(hub.listTools().map((t) => t.name), ['a__ping', 'b__ping', hub.listTools()[2]?.name]);
    const odd = hub.listTools()[2] as ToolDefinition;
    assert.match(odd.name, /^b__odd_name_[0-9a-f]{8}$/);
    assert.deepEqual([odd.server, odd.tool], ['b', 'odd.name']);
    assert.equal((await hub.callTool(odd.name, {})).summary, 'b/odd.name ok');
    assert.equal((await hub.callTool('a__ping', {})).summary, 'a/ping ok');
    const unknown = await hub.callTool('c__ping', {});
    assert.equal(unknown.isError, true);
    assert.match(unknown.summary, /unknown tool "c__ping"/);
    await hub.close();
  });

  it('leaves out a tool whose name is longer than MCP allows, with one warning per change', async () => {
    const fakes = new FakeServers();
    fakes.tools.set('a', [tool('ping'), tool('n'.repeat(5000))]);
    const log: LogEntry[] = [];
    const hub = await startHub(fakes, ['a'], {}, log);
    assert.deepEqual(hub.listTools().map((t) => t.name), ['a__ping']);
    const warnings = log.filter((e) => e.level === 'warn' && /longer than MCP allows/.test(e.msg));
    assert.deepEqual(warnings.map((e) => e.fields), [{ server: 'a', nameLength: 5000 }]);
    assert.ok(!JSON.stringify(log).includes('n'.repeat(200)), 'the name itself is not logged');
    await hub.close();
  });

  it('rejects two servers with the same name', async () => {
    await assert.rejects(startHub(new FakeServers(), ['a', 'a']), (err: unknown) => err instanceof ConfigError && /configured twice/.test(err.message));
  });

  it('reports a server that cannot start and keeps the others', async () => {
    const fakes = new FakeServers();
    fakes.broken.add('bad');
    const log: LogEntry[] = [];
    const hub = await startHub(fakes, ['good', 'bad'], {}, log);
    assert.deepEqual(hub.status().map((s) => [s.name, s.state, s.tools]), [['good', 'up', 1], ['bad', 'failed', 0]]);
    assert.match(hub.status()[1]?.lastError ?? '', /exited before completing the MCP handshake/);
    const error = log.find((e) => e.level === 'error');
    assert.equal(error?.msg, 'mcp server failed to start');
    assert.deepEqual(error?.fields, { server: 'bad', command: 'fake', error: 'exited before completing the MCP handshake', stderr: ['line 1', 'Error: no key'] });
    assert.deepEqual(hub.listTools().map((t) => t.name), ['good__ping']);
    await hub.close();
  });

  it('restarts a crashed server with backoff and counts the restart', async () => {
    const fakes = new FakeServers();
    const hub = await startHub(fakes, ['a']);
    fakes.crash('a');
    // The backoff wait already counts as restarting, with the time of the next attempt.
    assert.equal(stateOf(hub, 'a'), 'restarting');
    assert.ok(Date.parse(hub.status()[0]?.nextAttemptAt ?? '') > 0, 'nextAttemptAt during the wait');
    assert.deepEqual(hub.listTools().map((t) => t.name), ['a__ping'], 'tools stay listed while it restarts');
    await until(() => stateOf(hub, 'a') === 'up', 'restart');
    assert.equal(fakes.starts.get('a'), 2);
    assert.equal(hub.status()[0]?.restarts, 1);
    await hub.close();
  });

  it('reconnects on demand when a call arrives during the backoff wait', async () => {
    const fakes = new FakeServers();
    const hub = await startHub(fakes, ['a'], { restart: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    fakes.crash('a');
    assert.equal(stateOf(hub, 'a'), 'restarting');
    const result = await hub.callTool('a__ping', {});
    assert.equal(result.isError, false);
    assert.equal(result.summary, 'a/ping ok');
    assert.equal(stateOf(hub, 'a'), 'up');
    await hub.close();
  });

  it('gives up after maxAttempts, drops its tools from the catalog and says why on calls', async () => {
    const fakes = new FakeServers();
    const log: LogEntry[] = [];
    const hub = await startHub(fakes, ['a', 'b'], {}, log);
    const catalogs: string[][] = [];
    hub.onCatalogChanged((tools) => catalogs.push(tools.map((t) => t.name)));
    fakes.broken.add('a');
    fakes.crash('a');
    await until(() => stateOf(hub, 'a') === 'failed', 'giving up');
    assert.equal(fakes.starts.get('a'), 1 + 3);
    assert.deepEqual(catalogs, [['b__ping']]);
    assert.ok(log.some((e) => e.level === 'error' && e.msg === 'mcp server keeps failing; giving up on it'));
    const call = await hub.callTool('a__ping', {});
    assert.equal(call.isError, true);
    assert.match(call.summary, /"a" server is not available/);
    await hub.close();
  });

  it('a call waits only briefly for a server that does not come back', async () => {
    const fakes = new FakeServers();
    const hub = await startHub(fakes, ['a'], { restartWaitMs: 50, restart: { initialDelayMs: 10, maxDelayMs: 10, maxAttempts: 1000 } });
    fakes.hanging.add('a');
    fakes.crash('a');
    const result = await hub.callTool('a__ping', {});
    assert.equal(result.isError, true);
    assert.match(result.summary, /restarting/);
    await hub.close();
  });

  it('refreshes the catalog on tools/list_changed and notifies listeners until they unsubscribe', async () => {
    const fakes = new FakeServers();
    const hub = await startHub(fakes, ['a']);
    const seen: string[][] = [];
    const off = hub.onCatalogChanged((tools) => seen.push(tools.map((t) => t.name)));
    fakes.tools.set('a', [tool('ping'), tool('pong')]);
    fakes.live.get('a')?.onToolsChanged();
    await until(() => seen.length === 1, 'catalog event');
    assert.deepEqual(seen, [['a__ping', 'a__pong']]);
    assert.deepEqual(hub.listTools().map((t) => t.name), ['a__ping', 'a__pong']);
    // Same list again: not a change.
    fakes.live.get('a')?.onToolsChanged();
    off();
    fakes.tools.set('a', [tool('ping')]);
    fakes.live.get('a')?.onToolsChanged();
    await until(() => hub.listTools().length === 1, 'second refresh');
    assert.equal(seen.length, 1);
    await hub.close();
  });

  it('reports each server\'s kind and transport', async () => {
    const fakes = new FakeServers();
    const hub = await McpHub.start([server('local'), remote('far')], {
      logger: recordingLogger([]),
      openSession: fakes.open,
    });
    assert.deepEqual(hub.status().map((s) => [s.name, s.kind, s.transport, s.state]), [
      ['local', 'stdio', 'stdio', 'up'],
      ['far', 'remote', 'http', 'up'],
    ]);
    await hub.close();
  });

  it('keeps retrying a remote server that is not reachable at start, instead of giving up', async () => {
    const fakes = new FakeServers();
    fakes.unreachable.add('far');
    const log: LogEntry[] = [];
    const hub = await McpHub.start([remote('far')], {
      logger: recordingLogger(log),
      openSession: fakes.open,
      restart: { initialDelayMs: 20, maxDelayMs: 50, maxAttempts: 100 },
    });
    assert.equal(stateOf(hub, 'far'), 'restarting');
    assert.equal(hub.status()[0]?.lastError, 'could not connect: connection refused');
    assert.ok(log.some((e) => e.level === 'warn' && e.msg === 'mcp server not reachable yet; retrying with backoff' && e.fields.url === 'https://far.example.com'));
    await until(() => (fakes.starts.get('far') ?? 0) >= 3, 'a few retries');
    fakes.unreachable.delete('far');
    await until(() => stateOf(hub, 'far') === 'up', 'it comes up once reachable');
    assert.deepEqual(hub.listTools().map((t) => t.name), ['far__ping']);
    await hub.close();
  });

  it('sends a call again on a fresh session when the old one was gone before the call reached it', async () => {
    const fakes = new FakeServers();
    const log: LogEntry[] = [];
    const hub = await startHub(fakes, ['a'], { restart: { initialDelayMs: 60_000, maxDelayMs: 60_000 } }, log);
    fakes.forgetful.add('a');
    const result = await hub.callTool('a__ping', {});
    assert.equal(result.isError, false, result.summary);
    assert.deepEqual(fakes.calls, [
      { server: 'a', tool: 'ping', session: 1 },
      { server: 'a', tool: 'ping', session: 2 },
    ]);
    assert.equal(stateOf(hub, 'a'), 'up');
    assert.ok(log.some((e) => e.msg === 'mcp session was gone; reconnected and sent the request again'));
    await hub.close();
  });

  it('close aborts a start that hangs and closes live sessions', async () => {
    const fakes = new FakeServers();
    const hub = await startHub(fakes, ['a', 'b']);
    fakes.hanging.add('a');
    fakes.crash('a');
    await until(() => stateOf(hub, 'a') === 'restarting', 'restart attempt');
    await hub.close();
    // a's crashed session was cleaned up when it exited; its hanging restart never produced one.
    assert.deepEqual(fakes.closed.sort(), ['a', 'b']);
    const after = await hub.callTool('b__ping', {});
    assert.equal(after.isError, true);
    assert.match(after.summary, /shut down/);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the maximum', () => {
    const policy = { initialDelayMs: 500, maxDelayMs: 5000 };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(n, policy)), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
});
