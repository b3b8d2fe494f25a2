// When Redis goes away the coordinator says so (CoordinationUnavailableError) instead of waiting
// or guessing, and it works again once Redis is back. A TCP proxy in front of the shared Redis
// plays the outage. Needs Redis at REDIS_URL or 127.0.0.1:6379; fails without.
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Keyv from 'keyv';
import { CoordinationUnavailableError, createCoordinator } from '../../src/coordination/index.js';
import { lockKeys } from '../../src/coordination/redis-locks.js';
import { coordinatorPool, deferred, until, type CoordinatorPool } from '../helpers/replica-coordinators.js';
import { startRedisProxy, withRedis, type RedisProxy } from '../helpers/replica-redis.js';

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('redis coordinator: Redis going away', () => {
  let pool: CoordinatorPool;
  let proxy: RedisProxy;
  beforeEach(async () => {
    pool = coordinatorPool();
    proxy = await startRedisProxy();
  });
  afterEach(async () => {
    await proxy.close();
    await pool.close();
  });

  test('no Redis at start: createCoordinator rejects, naming the URL', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    await assert.rejects(createCoordinator(url, { store: new Keyv() }), (error: unknown) => {
      assert.ok(error instanceof CoordinationUnavailableError);
      assert.match(error.message, /could not connect to redis:\/\/127\.0\.0\.1:\d+/);
      return true;
    });
  });

  test('claim and withLock reject while Redis is gone, and work again when it is back', async () => {
    const { coordinator } = await pool.open('A', {}, proxy.url);
    assert.equal(await coordinator.claim(['event:EvBefore'], 60_000), true);

    proxy.down();
    await assert.rejects(coordinator.claim(['event:EvDuring'], 60_000), CoordinationUnavailableError);
    let ran = false;
    await assert.rejects(
      coordinator.withLock('thread', async () => void (ran = true)),
      CoordinationUnavailableError,
    );
    assert.equal(ran, false, 'nothing runs without the lock');

    proxy.up();
    // The client reconnects on its own; until it has, calls keep failing fast.
    let claimed: boolean | undefined;
    while (claimed === undefined) {
      claimed = await coordinator.claim(['event:EvAfter'], 60_000).catch((error: unknown) => {
        assert.ok(error instanceof CoordinationUnavailableError);
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 50));
      });
    }
    assert.equal(claimed, true);
    assert.equal(await coordinator.claim(['event:EvBefore'], 60_000), false, 'claims made before the outage still count');
    assert.equal(await coordinator.withLock('thread', async () => 'locked'), 'locked');
  });

  test('a holder keeps its lock through a blip shorter than its lease', async () => {
    const { coordinator } = await pool.open('A', {}, proxy.url);
    const b = (await pool.open('B')).coordinator; // straight to Redis, not through the proxy
    const leaseMs = 900;
    const lockKey = lockKeys(pool.prefix, 'thread').lock;
    const started = deferred<AbortSignal>();
    const gate = deferred();
    let aReleased = false;
    const holder = coordinator
      .withLock(
        'thread',
        async (signal) => {
          started.resolve(signal);
          await gate.promise;
        },
        { leaseMs },
      )
      .then(() => (aReleased = true));
    const signal = await started.promise;
    const token = await withRedis((client) => client.get(lockKey));
    proxy.down();
    const fromB = b.withLock('thread', async () => aReleased, { leaseMs });
    proxy.up();
    // Wait for a renewal after the blip: the lease climbs back above what was left of it.
    await withRedis(async (client) => {
      const left = await client.pTTL(lockKey);
      await until(async () => (await client.pTTL(lockKey)) > left);
      assert.equal(await client.get(lockKey), token, 'still the same holder');
    });
    assert.equal(signal.aborted, false);
    gate.resolve();
    await holder;
    assert.equal(await fromB, true, 'B got the lock only once A let it go');
  });
});
