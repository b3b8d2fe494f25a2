// The workers hold back new turns while Slack waits for acks (a burst's acks first), take them as
// soon as the last ack is out, and never wait longer than MAX_ACK_YIELD_MS (a steady stream of
// events cannot starve the answers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAcksInFlight } from '../../src/intake/acks-in-flight.js';
import { createMemoryInbox } from '../../src/intake/memory.js';
import { createWorkers, MAX_ACK_YIELD_MS } from '../../src/intake/workers.js';
import { createLogger } from '../../src/log.js';
import type { Question } from '../../src/slack/intake/question.js';

const question: Question = { teamId: 'T1', channel: 'C1', ts: '1700000000.000001', threadTs: '1700000000.000001', userId: 'U1', text: 'hi', isDirect: false, key: 'T1:C1:1700000000.000001' };

async function setup() {
  let clock = 0;
  const acks = createAcksInFlight();
  const inbox = createMemoryInbox({ claimTtlMs: 60_000, engagedTtlMs: 60_000, now: () => clock });
  const taken: { at: number; acksInFlight: number }[] = [];
  let tookOne: () => void = () => undefined;
  const took = new Promise<void>((resolve) => (tookOne = resolve));
  const workers = createWorkers({
    inbox,
    acks,
    max: 4,
    pollMs: 3_600_000,
    logger: createLogger({ write: () => undefined }),
    now: () => clock,
    handle: () => {
      taken.push({ at: clock, acksInFlight: acks.count });
      tookOne();
      return Promise.resolve('finished');
    },
  });
  workers.start();
  assert.equal(await inbox.accept(question, { ids: ['msg:C1:1'], onlyIfEngaged: false }), 'accepted');
  return { acks, workers, taken, took, setClock: (ms: number) => (clock = ms) };
}

describe('intake workers and the acks in flight', () => {
  it('take no new question while an ack is held, and take it once the last ack is out', async () => {
    const { acks, workers, taken, took } = await setup();
    acks.begin();
    acks.begin();
    workers.wake();
    await new Promise((resolve) => setImmediate(resolve)); // a take would have happened by now
    acks.end();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(taken, [], 'held back while one ack is still in flight');
    acks.end();
    await took;
    assert.deepEqual(taken, [{ at: 0, acksInFlight: 0 }]);
    await workers.stop(1000);
  });

  it(`wait at most ${MAX_ACK_YIELD_MS} ms for acks that keep coming`, async () => {
    const { acks, workers, taken, took, setClock } = await setup();
    acks.begin();
    workers.wake(); // the workers see the ack in flight at 0
    await new Promise((resolve) => setImmediate(resolve));
    setClock(MAX_ACK_YIELD_MS - 1);
    workers.wake();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(taken, [], 'still within the bound');
    setClock(MAX_ACK_YIELD_MS);
    workers.wake();
    await took;
    assert.deepEqual(taken, [{ at: MAX_ACK_YIELD_MS, acksInFlight: 1 }]);
    await workers.stop(1000);
  });
});
