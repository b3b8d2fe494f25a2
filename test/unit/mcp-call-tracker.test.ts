// Which call a server's question belongs to, and the idle timeout that stands still meanwhile.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CallTracker } from '../../src/mcp/call-tracker.js';
import { IdleTimer } from '../../src/mcp/idle-timer.js';

function fakeTransport(sent: JSONRPCMessage[]): Transport {
  return {
    start: async () => undefined,
    close: async () => undefined,
    send: async (message) => {
      sent.push(message);
    },
  };
}

const timer = () => new IdleTimer(60_000, () => assert.fail('no timeout expected'));

describe('CallTracker', () => {
  it('removes its marker before a message leaves, keeping the rest of _meta', async () => {
    const sent: JSONRPCMessage[] = [];
    const transport = fakeTransport(sent);
    const calls = new CallTracker();
    calls.watch(transport);
    const t1 = timer();
    const call = calls.begin({ context: 'alice', timer: t1 });
    await transport.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'x', _meta: { ...call.meta, progressToken: 4 } } });
    await transport.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'y', _meta: { ...call.meta } } });
    await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.deepEqual(sent, [
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'x', _meta: { progressToken: 4 } } },
      { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'y' } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    call.end(true);
    t1.stop();
  });

  it('finds the call by the stream a request came on, else the only call in flight, else none', async () => {
    const transport = fakeTransport([]);
    const calls = new CallTracker();
    calls.watch(transport);
    const timers = [timer(), timer()];
    const alice = calls.begin({ context: 'alice', timer: timers[0] as IdleTimer });
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', _meta: alice.meta } });
    let scope = calls.enterHook(100);
    assert.equal(scope.context, 'alice', 'the only call in flight');
    scope.release();

    const bob = calls.begin({ context: 'bob', timer: timers[1] as IdleTimer });
    await transport.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'x', _meta: bob.meta } });
    scope = calls.enterHook(101);
    assert.equal(scope.context, undefined, 'two calls and no link: nobody');
    scope.release();
    calls.relate(102, 2);
    scope = calls.enterHook(102);
    assert.equal(scope.context, 'bob', 'linked by the stream');
    scope.release();

    bob.end(true);
    calls.relate(103, 2);
    assert.equal(calls.enterHook(103).context, undefined, "a link to a finished call is nobody's, never the call running now");
    assert.equal(calls.enterHook(104).context, 'alice', 'unlinked, and no call ended unanswered: the only call in flight');
    alice.end(true);
    assert.equal(calls.enterHook(105).context, undefined);
    for (const t of timers) t.stop();
  });

  it("does not hand a late question of a cancelled call to the next person's call (stdio, SSE: no link)", () => {
    let now = 1_000;
    const calls = new CallTracker({ orphanMs: 60_000, now: () => now });
    const timers = [timer(), timer(), timer()];
    const alice = calls.begin({ context: 'alice', timer: timers[0] as IdleTimer });
    alice.end(false); // cancelled: the server may still be working on it, and ask later
    const bob = calls.begin({ context: 'bob', timer: timers[1] as IdleTimer });
    assert.equal(calls.enterHook(200).context, undefined, "it may be alice's late question: not bob's");
    bob.end(true);
    now += 60_001; // long after: alice's call is no longer suspected
    const carol = calls.begin({ context: 'carol', timer: timers[2] as IdleTimer });
    assert.equal(calls.enterHook(201).context, 'carol');
    carol.end(true);
    for (const t of timers) t.stop();
  });

  it('holds the timeouts of the calls a question may belong to until it is answered', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const expired: string[] = [];
      const calls = new CallTracker();
      const a = new IdleTimer(1000, () => expired.push('a'));
      const b = new IdleTimer(1000, () => expired.push('b'));
      calls.begin({ context: 'a', timer: a });
      calls.begin({ context: 'b', timer: b });
      const scope = calls.enterHook(1);
      mock.timers.tick(5000);
      assert.deepEqual(expired, [], 'both held: it could be either one’s question');
      scope.release();
      mock.timers.tick(999);
      assert.deepEqual(expired, []);
      mock.timers.tick(1);
      assert.deepEqual(expired.sort(), ['a', 'b']);
    } finally {
      mock.timers.reset();
    }
  });
});

describe('IdleTimer', () => {
  it('fires after silence; reset starts the wait over; holds stack; stop ends it', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      let fired = 0;
      const t = new IdleTimer(100, () => fired++);
      mock.timers.tick(90);
      t.reset();
      mock.timers.tick(90);
      assert.equal(fired, 0, 'reset moved the deadline');
      const first = t.hold();
      const second = t.hold();
      t.reset();
      mock.timers.tick(1000);
      first();
      first();
      mock.timers.tick(1000);
      assert.equal(fired, 0, 'still held by the second');
      second();
      mock.timers.tick(100);
      assert.equal(fired, 1);
      t.reset();
      mock.timers.tick(1000);
      assert.equal(fired, 1, 'fires once');
      const stopped = new IdleTimer(10, () => fired++);
      stopped.stop();
      mock.timers.tick(100);
      assert.equal(fired, 1);
    } finally {
      mock.timers.reset();
    }
  });
});
