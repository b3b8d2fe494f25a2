// Start-up steps run at once (src/process/start-group.ts): the first failure, or a stop, aborts the
// others, and whatever had opened is closed again before the start fails with that first reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StartGroup } from '../../src/process/start-group.js';

/** A step that opens `name` after `ms`, or fails with `error`; aborting it rejects at once. */
function step(name: string, signal: AbortSignal, ms: number, error?: Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (error ? reject(error) : resolve(name)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error(`${name} aborted`));
    });
  });
}

describe('StartGroup', () => {
  it('resolves with every step when all open', async () => {
    const group = new StartGroup();
    const a = group.add(step('store', group.signal, 5));
    const b = group.add(step('servers', group.signal, 1));
    await group.done();
    assert.deepEqual(await Promise.all([a, b]), ['store', 'servers']);
  });

  it('on the first failure aborts the steps still under way, closes those that opened, newest first, and throws that failure', async () => {
    const group = new StartGroup();
    const closed: string[] = [];
    const refused = new Error('SLACK_BOT_TOKEN: Slack refused it');
    void group.add(step('store', group.signal, 1), async (name) => void closed.push(name));
    void group.add(step('inbox', group.signal, 2), async (name) => void closed.push(name));
    void group.add(step('servers', group.signal, 10_000), async (name) => void closed.push(name));
    void group.add(step('slack', group.signal, 20, refused));
    await assert.rejects(group.done(), (error) => error === refused);
    assert.deepEqual(closed, ['inbox', 'store'], 'the servers never opened; the others closed, newest first');
  });

  it('a stop while starting aborts every step and throws the stop reason', async () => {
    const stop = new AbortController();
    const group = new StartGroup(stop.signal);
    const closed: string[] = [];
    void group.add(step('store', group.signal, 1), async (name) => void closed.push(name));
    void group.add(step('servers', group.signal, 10_000));
    setTimeout(() => stop.abort(new Error('stopped by SIGTERM during start-up')), 20);
    await assert.rejects(group.done(), /stopped by SIGTERM/);
    assert.deepEqual(closed, ['store']);
  });
});
