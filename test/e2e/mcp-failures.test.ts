// The hub when servers misbehave, with real processes: a server that dies at start, one that never
// speaks MCP, one killed mid-session, one that crashes mid-call, one that changes its tool list, and
// one that ignores SIGTERM. The others keep working and close() leaves no process behind.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { McpHub } from '../../src/mcp/hub.js';
import { serverFromScript } from '../../src/mcp/script-server.js';
import type { ServerState, ToolCallResult, ToolDefinition } from '../../src/mcp/types.js';
import { everything, fixture, fixtures, freePort, isRunning, recordingLogger, until, type LogEntry } from '../fixtures/mcp/test-helpers.js';

const restart = { initialDelayMs: 200, maxDelayMs: 1000 };

function textOf(result: ToolCallResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : `<${block.type}>`)).join('\n');
}

function pidOf(hub: McpHub, name: string): number {
  const pid = hub.status().find((s) => s.name === name)?.pid;
  assert.ok(pid !== undefined, `${name} has a pid`);
  return pid;
}

describe('McpHub with failing servers', () => {
  it('reports a server that fails at start, with its stderr, while the others work', async () => {
    const log: LogEntry[] = [];
    const missing = { kind: 'stdio' as const, name: 'missing', command: 'no-such-mcp-server-binary', args: [], env: {} };
    // Nothing listens there: a remote server that is down when the bot starts.
    const port = await freePort();
    const remote = { kind: 'remote' as const, name: 'remote', url: `http://127.0.0.1:${port}/mcp?token=abc`, headers: {} };
    const hub = await McpHub.start([fixture('broken', 'exits-at-start.mjs'), everything(), missing, remote], {
      logger: recordingLogger(log),
      restart,
    });
    try {
      const status = Object.fromEntries(hub.status().map((s) => [s.name, s]));
      assert.equal(status.broken?.state, 'failed');
      assert.equal(status.broken?.tools, 0);
      assert.equal(status.broken?.lastError, 'exited before completing the MCP handshake; it said: Error: TOY_API_KEY is not set');
      assert.equal(status.missing?.state, 'failed');
      assert.match(status.missing?.lastError ?? '', /could not start "no-such-mcp-server-binary": command not found/);
      assert.equal(status.everything?.state, 'up');
      // Remote servers come back on their own: it is retried with backoff, not given up.
      assert.equal(status.remote?.state, 'restarting');
      assert.equal(status.remote?.kind, 'remote');
      assert.equal(status.remote?.lastError, `could not connect to http://127.0.0.1:${port}: connection refused`);
      assert.equal(status.everything?.kind, 'stdio');

      const errors = log.filter((e) => e.level === 'error' && e.msg === 'mcp server failed to start');
      const broken = errors.find((e) => e.fields.server === 'broken');
      assert.ok(broken, 'logged at error');
      assert.equal(broken.fields.command, process.execPath);
      const stderr = broken.fields.stderr as string[];
      assert.equal(stderr.length, 20);
      assert.equal(stderr.at(-1), 'Error: TOY_API_KEY is not set');
      assert.equal(stderr[0], 'starting step 12');
      assert.ok(errors.some((e) => e.fields.server === 'missing'));

      assert.ok(hub.listTools().every((t) => t.server === 'everything'));
      assert.equal(textOf(await hub.callTool('everything__echo', { message: 'ok' })), 'Echo: ok');
    } finally {
      await hub.close();
    }
  });

  it('gives up on a server that never answers the handshake, within the connect timeout', async () => {
    const log: LogEntry[] = [];
    const hub = await McpHub.start([fixture('garbage', 'garbage.mjs')], { logger: recordingLogger(log), connectTimeoutMs: 500 });
    const [status] = hub.status();
    assert.equal(status?.state, 'failed');
    const said = /did not answer the MCP handshake in time; it said: garbage server running \(pid (\d+)\)/.exec(status?.lastError ?? '');
    assert.ok(said, status?.lastError);
    assert.equal(isRunning(Number(said[1])), false, 'a server that failed its start is not left running');
    await hub.close();
  });

  it('tolerates a server that prints non-JSON lines on stdout, and warns once', async () => {
    const log: LogEntry[] = [];
    const hub = await McpHub.start([fixture('noisy', 'toy-server.mjs', ['--noisy'])], { logger: recordingLogger(log) });
    try {
      const pid = pidOf(hub, 'noisy');
      assert.equal(textOf(await hub.callTool('noisy__pid', {})), String(pid));
      assert.equal(textOf(await hub.callTool('noisy__pid', {})), String(pid));
      const warnings = log.filter((e) => e.level === 'warn' && e.msg === 'mcp server wrote something that is not an MCP message');
      assert.equal(warnings.length, 1);
    } finally {
      await hub.close();
    }
  });

  it('notices a killed server, restarts it, and the next call works', async () => {
    const log: LogEntry[] = [];
    const hub = await McpHub.start([everything(), fixture('toy', 'toy-server.mjs')], { logger: recordingLogger(log), restart });
    try {
      const oldPid = pidOf(hub, 'everything');
      const seen = new Set<ServerState>();
      process.kill(oldPid, 'SIGKILL');
      await until(() => {
        const state = hub.status()[0]?.state;
        if (state) seen.add(state);
        return state !== 'up';
      }, 'the hub notices the exit');
      assert.ok(seen.has('down') || seen.has('restarting'), [...seen].join());
      assert.equal(hub.status()[1]?.state, 'up', 'the other server is untouched');

      const result = await hub.callTool('everything__echo', { message: 'after the crash' });
      assert.equal(result.isError, false, textOf(result));
      assert.equal(textOf(result), 'Echo: after the crash');
      const [status] = hub.status();
      assert.equal(status?.state, 'up');
      assert.equal(status?.restarts, 1);
      assert.notEqual(status?.pid, oldPid);
      assert.equal(isRunning(oldPid), false);
      assert.ok(log.some((e) => e.level === 'warn' && e.msg === 'mcp server exited; restarting it'));
    } finally {
      await hub.close();
    }
  });

  it('a crash during a call fails that call clearly; the next call gets a fresh server', async () => {
    const hub = await McpHub.start([fixture('toy', 'toy-server.mjs')], { logger: recordingLogger([]), restart });
    try {
      const oldPid = pidOf(hub, 'toy');
      const crashed = await hub.callTool('toy__crash', {});
      assert.equal(crashed.isError, true);
      assert.match(textOf(crashed), /"toy" server closed the connection during the call/);
      const next = await hub.callTool('toy__pid', {});
      assert.equal(next.isError, false, textOf(next));
      assert.notEqual(textOf(next), String(oldPid));
      assert.equal(textOf(next), String(pidOf(hub, 'toy')));
    } finally {
      await hub.close();
    }
  });

  it('refreshes the catalog on tools/list_changed and fires onCatalogChanged', async () => {
    const hub = await McpHub.start([fixture('toy', 'toy-server.mjs')], { logger: recordingLogger([]) });
    try {
      const events: ToolDefinition[][] = [];
      hub.onCatalogChanged((tools) => events.push(tools));
      assert.ok(!hub.listTools().some((t) => t.name === 'toy__added-1'));
      assert.equal(textOf(await hub.callTool('toy__add-tool', {})), 'added added-1');
      await until(() => events.length > 0, 'a catalog event');
      assert.ok(events[0]?.some((t) => t.name === 'toy__added-1' && t.description === 'Added tool number 1.'));
      assert.equal(textOf(await hub.callTool('toy__added-1', {})), 'added-1');
    } finally {
      await hub.close();
    }
  });

  it('converts edge-case results from a real server', async () => {
    const hub = await McpHub.start([fixture('toy', 'toy-server.mjs')], { logger: recordingLogger([]) });
    try {
      assert.deepEqual((await hub.callTool('toy__empty', {})).content, [{ type: 'text', text: '(the tool returned no content)' }]);
      const failed = await hub.callTool('toy__fail', {});
      assert.deepEqual([failed.isError, failed.summary], [true, 'error: the widget is broken']);
      const thrown = await hub.callTool('toy__throws', {});
      assert.equal(thrown.isError, true);
      assert.match(textOf(thrown), /handler exploded/);
      const weird = hub.listTools().find((t) => t.tool === 'weird.name with spaces');
      assert.ok(weird);
      assert.match(weird.name, /^toy__weird_name_with_spaces_[0-9a-f]{8}$/);
      assert.equal(textOf(await hub.callTool(weird.name, {})), 'weird ok');
      const slow = await hub.callTool('toy__slow', { ms: 5000 }, { timeoutMs: 200 });
      assert.match(textOf(slow), /timed out after 0\.2 s/);
    } finally {
      await hub.close();
    }
  });

  it('runs a TypeScript server script through the tutorial shorthand', async () => {
    const hub = await McpHub.start([serverFromScript(path.join(fixtures, 'ts-server.ts'))], { logger: recordingLogger([]) });
    try {
      assert.deepEqual(hub.listTools().map((t) => t.name), ['ts-server__greet']);
      assert.equal(textOf(await hub.callTool('ts-server__greet', {})), 'hello from TypeScript');
    } finally {
      await hub.close();
    }
  });

  it('close leaves no process behind, even one that ignores SIGTERM', async () => {
    const hub = await McpHub.start([everything(), fixture('toy', 'toy-server.mjs'), fixture('stubborn', 'toy-server.mjs', ['--stubborn'])], {
      logger: recordingLogger([]),
    });
    const pids = hub.status().map((s) => s.pid);
    assert.equal(pids.length, 3);
    for (const pid of pids) assert.ok(pid !== undefined && isRunning(pid));
    await hub.close();
    for (const pid of pids) {
      assert.throws(() => process.kill(pid as number, 0), { code: 'ESRCH' });
    }
    const after = await hub.callTool('toy__pid', {});
    assert.equal(after.isError, true);
  });
});
