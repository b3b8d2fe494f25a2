// Locks across processes through Redis (needs Redis at REDIS_URL or 127.0.0.1:6379; fails without):
// mutual exclusion, arrival order, a renewed lease for a long holder, a dead holder's lease running
// out, and locks that only their holder can release.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinatorClosedError, LockLostError, LockTimeoutError } from '../../src/coordination/index.js';
import { createRedisLocks, lockKeys } from '../../src/coordination/redis-locks.js';
import { coordinatorPool, deferred, until, type CoordinatorPool } from '../helpers/replica-coordinators.js';
import { withRedis } from '../helpers/replica-redis.js';

describe('redis coordinator: locks', () => {
  let pool: CoordinatorPool;
  beforeEach(() => void (pool = coordinatorPool()));
  afterEach(() => pool.close());

  const waiting = (key: string) => withRedis((client) => client.zCard(lockKeys(pool.prefix, key).line));

  test('two processes never hold one key at once; other keys are not held up', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    let inside = 0;
    let most = 0;
    let ran = 0;
    const work = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(5);
      inside -= 1;
      ran += 1;
    };
    const runs = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).withLock('thread', work));
    assert.equal(await b.withLock('another thread', async () => 'free'), 'free');
    await Promise.all(runs);
    assert.equal(ran, 12);
    assert.equal(most, 1);
  });

  test('the lock passes in arrival order, whichever process waits', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    const c = (await pool.open('C')).coordinator;
    const order: string[] = [];
    const gate = deferred();
    const holder = a.withLock('thread', async () => {
      await gate.promise;
      order.push('A');
    });
    await until(async () => (await withRedis((client) => client.exists(lockKeys(pool.prefix, 'thread').lock))) === 1);
    const fromB = b.withLock('thread', async () => void order.push('B'));
    await until(async () => (await waiting('thread')) === 1);
    const fromC = c.withLock('thread', async () => void order.push('C'));
    await until(async () => (await waiting('thread')) === 2);
    // A second request from A itself comes last: it joined the line after B and C.
    const againA = a.withLock('thread', async () => void order.push('A again'));
    await until(async () => (await waiting('thread')) === 3);
    gate.resolve();
    await Promise.all([holder, fromB, fromC, againA]);
    assert.deepEqual(order, ['A', 'B', 'C', 'A again']);
  });

  test('renewal keeps a long holder\'s lock well past its lease', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    const leaseMs = 150;
    let aDone = false;
    let aSignal: AbortSignal | undefined;
    const started = deferred();
    const holder = a.withLock(
      'thread',
      async (signal) => {
        aSignal = signal;
        started.resolve();
        await sleep(leaseMs * 6);
        aDone = true;
      },
      { leaseMs },
    );
    await started.promise;
    const sawADone = await b.withLock('thread', async () => aDone, { leaseMs });
    await holder;
    assert.equal(sawADone, true, 'B got the lock only after A finished');
    assert.equal(aSignal?.aborted, false, 'A never lost its lock');
  });

  test('a holder that dies stops renewing: its lease runs out and another process gets the lock', async () => {
    const dead = await pool.open('dying');
    const b = (await pool.open('B')).coordinator;
    const leaseMs = 200;
    const started = deferred<AbortSignal>();
    const forever = deferred();
    const holder = dead.coordinator.withLock(
      'thread',
      async (signal) => {
        started.resolve(signal);
        await forever.promise; // hung: never releases on its own
        return 'finished late';
      },
      { leaseMs },
    );
    const deadSignal = await started.promise;
    await dead.link.close(); // the process is gone as far as Redis can tell
    assert.equal(await b.withLock('thread', async () => 'B got it', { leaseMs }), 'B got it');
    // The dead holder learns it lost the lock (a whole lease without a good renewal).
    if (!deadSignal.aborted) await once(deadSignal, 'abort');
    assert.ok(deadSignal.reason instanceof LockLostError);
    forever.resolve();
    assert.equal(await holder, 'finished late', 'a failed release is logged, not thrown over the result');
  });

  test('only the holder can release or renew; a stranger\'s release changes nothing', async () => {
    const a = (await pool.open('A')).coordinator;
    const stranger = await pool.open('stranger');
    const b = (await pool.open('B')).coordinator;
    const locks = createRedisLocks(stranger.link, { prefix: pool.prefix, waiterTtlMs: 5000 });
    const gate = deferred();
    const started = deferred();
    const holder = a.withLock('thread', async () => {
      started.resolve();
      await gate.promise;
    });
    await started.promise;
    const token = await withRedis((client) => client.get(lockKeys(pool.prefix, 'thread').lock));
    assert.match(token ?? '', /^A:/);
    assert.equal(await locks.release('thread', 'A:not-the-token'), false);
    assert.equal(await locks.renew('thread', 'A:not-the-token', 60_000), false);
    assert.equal(await withRedis((client) => client.get(lockKeys(pool.prefix, 'thread').lock)), token);
    await assert.rejects(b.withLock('thread', async () => 'too early', { waitMs: 100 }), LockTimeoutError);
    gate.resolve();
    await holder;
    assert.equal(await withRedis((client) => client.exists(lockKeys(pool.prefix, 'thread').lock)), 0, 'released by its holder');
    assert.equal(await b.withLock('thread', async () => 'now', { waitMs: 1000 }), 'now');
  });

  test('a waiter that gives up leaves the line; a failing holder still releases', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    const gate = deferred();
    const holder = a.withLock('thread', () => gate.promise);
    await assert.rejects(b.withLock('thread', async () => 'never', { waitMs: 50 }), LockTimeoutError);
    assert.equal(await waiting('thread'), 0);
    gate.resolve();
    await holder;
    await assert.rejects(a.withLock('thread', async () => Promise.reject(new Error('turn failed'))), /turn failed/);
    assert.equal(await b.withLock('thread', async () => 'free', { waitMs: 1000 }), 'free');
  });

  test('a waiter that died is skipped: the one behind it gets the lock', async () => {
    const a = (await pool.open('A')).coordinator;
    const c = (await pool.open('C')).coordinator;
    const gate = deferred();
    const holder = a.withLock('thread', () => gate.promise);
    // A waiter from a process that then vanished: in line, never polling again.
    const k = lockKeys(pool.prefix, 'thread');
    await withRedis(async (client) => {
      await client.zAdd(k.line, { score: await client.incr(k.ticket), value: 'ghost:1' });
      await client.hSet(k.alive, 'ghost:1', '0');
    });
    const fromC = c.withLock('thread', async () => 'C');
    gate.resolve();
    await holder;
    assert.equal(await fromC, 'C');
  });

  test('close gives up waits and releases what it holds', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    const gate = deferred();
    const started = deferred<AbortSignal>();
    const holder = a.withLock('thread', async (signal) => {
      started.resolve(signal);
      await gate.promise;
    });
    const signal = await started.promise;
    const waiter = a.withLock('thread', async () => 'never');
    await a.close();
    await assert.rejects(waiter, CoordinatorClosedError);
    assert.ok(signal.reason instanceof CoordinatorClosedError, 'the holder is told');
    assert.equal(await b.withLock('thread', async () => 'B', { waitMs: 1000 }), 'B', 'the lock was let go at close');
    gate.resolve();
    await holder;
    await assert.rejects(a.claim(['x'], 1000), CoordinatorClosedError);
  });
});
