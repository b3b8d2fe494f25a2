// The single-process coordinator (sqlite:// and memory://): claims in the process and the store,
// locks as an in-process line per key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Keyv from 'keyv';
import { createCoordinator, CoordinatorClosedError, LockTimeoutError } from '../../src/coordination/index.js';
import { createLocalCoordinator } from '../../src/coordination/local.js';
import { openStore } from '../../src/store.js';

const HOUR = 60 * 60 * 1000;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('local coordinator: claims', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coord-local-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the first claim wins; a retry with the same ids does not', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    assert.equal(await c.claim(['event:Ev1', 'msg:C1:1.000001'], HOUR), true);
    assert.equal(await c.claim(['event:Ev1', 'msg:C1:1.000001'], HOUR), false);
    assert.equal(await c.claim(['event:Ev2', 'msg:C1:2.000001'], HOUR), true);
  });

  test('racing twins (app_mention + message: other event ids, same channel + ts) win once', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    const results = await Promise.all([c.claim(['event:EvA', 'msg:C1:3.000001'], HOUR), c.claim(['event:EvB', 'msg:C1:3.000001'], HOUR)]);
    assert.deepEqual(results.sort(), [false, true]);
    assert.equal(await c.claim(['event:EvB'], HOUR), false, "the losing twin's own id is remembered for its retries");
  });

  test('a claim without ids is answered (nothing to recognise it by)', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    assert.equal(await c.claim(['', ''], HOUR), true);
  });

  test('a claim is forgotten after its TTL', async (t) => {
    // The coordinator's in-process record and the store's TTL both run on Date: mocked, no waiting.
    t.mock.timers.enable({ apis: ['Date'], now: 1_000 });
    const store = new Keyv();
    const c = createLocalCoordinator({ store });
    assert.equal(await c.claim(['event:EvTtl'], 20), true);
    assert.equal(await c.claim(['event:EvTtl'], 20), false); // a duplicate: remembered again for 20 ms
    t.mock.timers.tick(21); // past the in-process record and the store's TTL
    assert.equal(await c.claim(['event:EvTtl'], 20), true);
  });

  test('claims survive a restart on the same sqlite file, under the key the old dedupe used', async () => {
    const url = `sqlite://${path.join(dir, 'bot.sqlite')}`;
    const first = await openStore(url);
    assert.equal(await (await createCoordinator(url, { store: first })).claim(['event:EvR', 'msg:C9:9.000001'], HOUR), true);
    assert.notEqual(await first.get('dedupe:msg:C9:9.000001'), undefined);
    await first.disconnect();

    const second = await openStore(url);
    try {
      const c = await createCoordinator(url, { store: second });
      assert.equal(await c.claim(['event:EvRetry', 'msg:C9:9.000001'], HOUR), false);
      assert.equal(await c.claim(['event:EvOther', 'msg:C9:10.000001'], HOUR), true);
    } finally {
      await second.disconnect();
    }
  });
});

describe('local coordinator: locks', () => {
  test('one holder per key at a time, in arrival order; other keys run alongside', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    const order: string[] = [];
    const gate = deferred();
    const first = c.withLock('thread-1', async () => {
      order.push('first:start');
      await gate.promise;
      order.push('first:end');
    });
    const second = c.withLock('thread-1', async () => void order.push('second'));
    const third = c.withLock('thread-1', async () => void order.push('third'));
    await c.withLock('thread-2', async () => void order.push('other thread'));
    gate.resolve();
    await Promise.all([first, second, third]);
    assert.deepEqual(order, ['first:start', 'other thread', 'first:end', 'second', 'third']);
  });

  test('a failing holder releases the lock and its error reaches the caller', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    await assert.rejects(c.withLock('k', async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await c.withLock('k', async () => 'next'), 'next');
  });

  test('a waiter gives up after waitMs without disturbing the line', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    const gate = deferred();
    const holder = c.withLock('k', () => gate.promise);
    await assert.rejects(c.withLock('k', async () => 'never', { waitMs: 20 }), LockTimeoutError);
    const after = c.withLock('k', async () => 'after');
    gate.resolve();
    await holder;
    assert.equal(await after, 'after');
  });

  test('close refuses the waiters and new calls', async () => {
    const c = await createCoordinator('memory://', { store: new Keyv() });
    const gate = deferred();
    const holder = c.withLock('k', () => gate.promise);
    const waiter = c.withLock('k', async () => 'never');
    await c.close();
    await assert.rejects(waiter, CoordinatorClosedError);
    await assert.rejects(c.claim(['x'], HOUR), CoordinatorClosedError);
    gate.resolve();
    await holder;
  });
});
