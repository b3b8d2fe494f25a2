// Claims across processes through Redis (needs Redis at REDIS_URL or 127.0.0.1:6379; fails without).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { coordinatorPool, until, type CoordinatorPool } from '../helpers/replica-coordinators.js';
import { withRedis } from '../helpers/replica-redis.js';

const HOUR = 60 * 60 * 1000;

describe('redis coordinator: claims', () => {
  let pool: CoordinatorPool;
  beforeEach(() => void (pool = coordinatorPool()));
  afterEach(() => pool.close());

  test('the first claim wins, in this process or another; a retry does not', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    assert.equal(await a.claim(['event:Ev1', 'msg:C1:1.000001'], HOUR), true);
    assert.equal(await b.claim(['event:Ev1', 'msg:C1:1.000001'], HOUR), false);
    assert.equal(await a.claim(['event:Ev1', 'msg:C1:1.000001'], HOUR), false);
    assert.equal(await b.claim(['event:Ev2', 'msg:C1:2.000001'], HOUR), true);
  });

  test('twins (other event ids, same channel + ts) racing from two processes win once', async () => {
    const a = (await pool.open('A')).coordinator;
    const b = (await pool.open('B')).coordinator;
    for (let i = 0; i < 20; i++) {
      const msg = `msg:C2:${i}.000001`;
      const results = await Promise.all([a.claim([`event:EvA${i}`, msg], HOUR), b.claim([`event:EvB${i}`, msg], HOUR)]);
      assert.deepEqual(results.sort(), [false, true], `round ${i}`);
    }
    // The losing twin's own event id is claimed too: its retries are duplicates.
    assert.equal(await a.claim(['event:EvB0'], HOUR), false);
    assert.equal(await b.claim(['event:EvA0'], HOUR), false);
  });

  test('ids are stored with the owner and the TTL asked for', async () => {
    const a = (await pool.open('host-a:123')).coordinator;
    await a.claim(['event:EvOwner'], HOUR);
    await withRedis(async (client) => {
      assert.equal(await client.get(`${pool.prefix}claim:event:EvOwner`), 'host-a:123');
      const ttl = await client.pTTL(`${pool.prefix}claim:event:EvOwner`);
      assert.ok(ttl > 0 && ttl <= HOUR, String(ttl));
    });
  });

  test('a claim is forgotten after its TTL', async () => {
    const a = (await pool.open('A')).coordinator;
    assert.equal(await a.claim(['event:EvTtl'], 30), true);
    assert.equal(await a.claim(['event:EvTtl'], 30), false);
    await withRedis((client) => until(async () => (await client.exists(`${pool.prefix}claim:event:EvTtl`)) === 0));
    assert.equal(await a.claim(['event:EvTtl'], 30), true);
  });

  test('a claim without ids is answered; repeated ids count once', async () => {
    const a = (await pool.open('A')).coordinator;
    assert.equal(await a.claim([], HOUR), true);
    assert.equal(await a.claim(['event:EvDup', 'event:EvDup', ''], HOUR), true);
  });
});
