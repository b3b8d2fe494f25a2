import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedQueue, QueueClosedError } from '../../src/slack/queue.js';

/** A promise the test resolves by hand, so order is shown without relying on timing. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('KeyedQueue', () => {
  test('tasks under one key run one at a time, in order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const first = gate();
    const a = queue.run('thread', async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
      return 'a';
    });
    const b = queue.run('thread', () => {
      log.push('b');
      return 'b';
    });
    assert.equal(queue.size('thread'), 2);
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(log, ['a start']);
    first.open();
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    assert.deepEqual(log, ['a start', 'a end', 'b']);
    assert.equal(queue.size('thread'), 0);
  });

  test('different keys run at the same time', async () => {
    const queue = new KeyedQueue();
    const one = gate();
    const bothStarted: string[] = [];
    const x = queue.run('t1', async () => {
      bothStarted.push('t1');
      await one.promise;
    });
    // t2 finishes while t1 is still blocked: it did not wait for t1.
    await queue.run('t2', () => {
      bothStarted.push('t2');
    });
    assert.deepEqual(bothStarted, ['t1', 't2']);
    assert.equal(queue.size('t1'), 1);
    assert.deepEqual(queue.activeKeys(), ['t1']);
    one.open();
    await x;
  });

  test('a failing task rejects its own promise, is reported, and the next one still runs', async () => {
    const errors: [unknown, string][] = [];
    const queue = new KeyedQueue({ onError: (error, key) => errors.push([error, key]) });
    const failed = queue.run('thread', () => {
      throw new Error('boom');
    });
    const next = queue.run('thread', async () => 'after');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'after');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.[1], 'thread');
  });

  test('an unawaited failing task is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const queue = new KeyedQueue();
      void queue.run('k', () => Promise.reject(new Error('ignored')));
      await queue.idle();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('idle() waits for all keys; drain() then refuses new work', async () => {
    const queue = new KeyedQueue();
    assert.equal(queue.pending, 0);
    await queue.idle();
    const g = gate();
    let done = false;
    void queue.run('a', async () => {
      await g.promise;
      done = true;
    });
    void queue.run('b', () => undefined);
    assert.equal(queue.pending, 2);
    const idle = queue.idle();
    g.open();
    await idle;
    assert.equal(done, true);
    assert.equal(queue.pending, 0);

    assert.equal(await queue.drain(1_000), true);
    await assert.rejects(queue.run('a', () => 1), QueueClosedError);
  });

  test('drain() gives up after its timeout and says so', async () => {
    const queue = new KeyedQueue();
    const never = gate();
    void queue.run('stuck', () => never.promise);
    assert.equal(await queue.drain(20), false);
    never.open();
    await queue.idle();
  });
});
