// Two clicks on one approval at once, from the attacker's side: Approve and Deny by two people,
// reaching two replicas (two Redis coordinators sharing one store), or the same replica. Exactly one
// decision stands, the waiting turn gets that one, and the other click learns what it was and by whom.
// (Needs Redis at REDIS_URL or 127.0.0.1:6379.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Keyv from 'keyv';
import { createLocalCoordinator } from '../../src/coordination/local.js';
import type { Coordinator } from '../../src/coordination/index.js';
import { createPendingBoard, type AnswerResult } from '../../src/slack/questions/pending.js';
import { coordinatorPool, type CoordinatorPool } from '../helpers/replica-coordinators.js';

type Choice = 'approved' | 'denied';

async function race(boards: [Coordinator, Coordinator], store: Keyv, id: string) {
  const [one, two] = boards.map((c) => createPendingBoard<Choice>(store, (...args) => c.settle(...args), 'approval', 50));
  if (!one || !two) throw new Error('two boards');
  await one.open(id, 60_000);
  const waiting = one.wait(id, Date.now() + 60_000, new AbortController().signal);
  const results: AnswerResult<Choice>[] = await Promise.all([one.answer(id, 'approved', 'U0ALICE'), two.answer(id, 'denied', 'U0BOB')]);
  return { results, waited: await waiting };
}

function checkOneWinner(results: AnswerResult<Choice>[], waited: { answer: Choice; by: string } | undefined, round: number) {
  const taken = results.filter((r) => r.kind === 'taken');
  const lost = results.filter((r) => r.kind === 'answered-already');
  assert.equal(taken.length, 1, `round ${round}: exactly one click decides`);
  assert.equal(lost.length, 1, `round ${round}: the other is refused`);
  const winner = results[0]?.kind === 'taken' ? { answer: 'approved', by: 'U0ALICE' } : { answer: 'denied', by: 'U0BOB' };
  assert.deepEqual(waited, winner, `round ${round}: the turn gets the winning decision`);
  const loser = lost[0];
  assert.ok(loser?.kind === 'answered-already');
  assert.deepEqual(loser.decided, winner, `round ${round}: the losing click learns what was decided and by whom`);
}

describe('two clicks at once', () => {
  let pool: CoordinatorPool;
  beforeEach(() => void (pool = coordinatorPool()));
  afterEach(() => pool.close());

  test('on two replicas (Redis): one decision, the other click told which', async () => {
    const a = (await pool.open('replica-a')).coordinator;
    const b = (await pool.open('replica-b')).coordinator;
    const store = new Keyv();
    for (let round = 0; round < 20; round++) {
      const { results, waited } = await race([a, b], store, `race-${pool.prefix}-${round}`);
      checkOneWinner(results, waited, round);
    }
  });

  test('on one process (sqlite, memory): one decision, the other click told which', async () => {
    const c = createLocalCoordinator({ store: new Keyv() });
    const store = new Keyv();
    for (let round = 0; round < 20; round++) {
      const { results, waited } = await race([c, c], store, `local-${round}`);
      checkOneWinner(results, waited, round);
    }
  });

  test('a click that comes after the wait ended is refused, and the turn saw no answer', async () => {
    const c = createLocalCoordinator({ store: new Keyv() });
    const board = createPendingBoard<Choice>(new Keyv(), (...args) => c.settle(...args), 'approval', 50);
    await board.open('late', 60_000);
    assert.equal(await board.wait('late', Date.now() + 20, new AbortController().signal), undefined);
    assert.deepEqual(await board.answer('late', 'approved', 'U0ALICE'), { kind: 'answered-already' });
  });
});
