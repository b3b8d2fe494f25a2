// Per-person limits from the attacker's side: one person firing questions as fast as they can, on
// one process or on two replicas sharing Redis. The counts are the coordinator's slots, so both
// replicas refuse past the limit together; other people are not affected; a question taken again
// after a crash does not count twice. (The Redis cases need Redis at REDIS_URL or 127.0.0.1:6379.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Keyv from 'keyv';
import { createLocalCoordinator } from '../../src/coordination/local.js';
import { silentLogger } from '../../src/log.js';
import { personLimits, type Admission } from '../../src/policy/person-limits.js';
import { coordinatorPool, type CoordinatorPool } from '../helpers/replica-coordinators.js';

const asker = (userId: string, n: number) => ({ teamId: 'T1', userId, questionId: `C1:${n}.000100` });
const refusedBy = (admissions: Admission[], limit: string) => admissions.filter((a) => !a.ok && a.limit === limit);

describe('per-person limits', () => {
  let pool: CoordinatorPool;
  beforeEach(() => void (pool = coordinatorPool()));
  afterEach(() => pool.close());

  it('answers 5 of 20 questions one person sends in a minute, and tells the other 15 in one sentence', async () => {
    const limits = personLimits({ questionsPerMinute: 5, turnSeconds: 900 }, createLocalCoordinator({ store: new Keyv() }), silentLogger);
    const admissions = await Promise.all(Array.from({ length: 20 }, (_, n) => limits.admit(asker('U0SPAM', n))));
    assert.equal(admissions.filter((a) => a.ok).length, 5);
    const refused = refusedBy(admissions, 'questionsPerMinute');
    assert.equal(refused.length, 15);
    for (const r of refused) {
      assert.ok(!r.ok);
      assert.equal(r.message, 'You have asked 5 questions in the last minute, the most this bot answers for one person; please wait a minute, then ask again.');
    }
    assert.equal((await limits.admit(asker('U0OTHER', 1))).ok, true, 'another person is not held back');
    assert.equal((await limits.admit(asker('U0SPAM', 0))).ok, true, 'a question taken again (after a crash) keeps its slot');
  });

  it('counts one person across two replicas together', async () => {
    const a = (await pool.open('replica-a')).coordinator;
    const b = (await pool.open('replica-b')).coordinator;
    const onA = personLimits({ questionsPerMinute: 5, turnSeconds: 900 }, a, silentLogger);
    const onB = personLimits({ questionsPerMinute: 5, turnSeconds: 900 }, b, silentLogger);
    const admissions = await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 === 0 ? onA : onB).admit(asker('U0SPAM', n))));
    assert.equal(admissions.filter((x) => x.ok).length, 5);
    assert.equal(refusedBy(admissions, 'questionsPerMinute').length, 15);
  });

  it('lets a person have only so many answers written at once, and frees a slot when one ends', async () => {
    const c = (await pool.open('replica-a')).coordinator;
    const limits = personLimits({ turnsInFlight: 2, turnSeconds: 900 }, c, silentLogger);
    const [first, second, third] = await Promise.all([0, 1, 2].map((n) => limits.admit(asker('U0BUSY', n))));
    assert.equal(first?.ok, true);
    assert.equal(second?.ok, true);
    assert.ok(third && !third.ok);
    assert.equal(third.message, 'I am already answering 2 questions of yours; please wait until one is done, then ask again.');
    assert.ok(first?.ok);
    await first.release();
    assert.equal((await limits.admit(asker('U0BUSY', 3))).ok, true, 'a slot is free again once an answer ends');
  });

  it('does not hold a per-minute slot for a question refused for answers at once', async () => {
    const limits = personLimits({ turnsInFlight: 1, questionsPerMinute: 2, turnSeconds: 900 }, createLocalCoordinator({ store: new Keyv() }), silentLogger);
    const first = await limits.admit(asker('U0BOTH', 0));
    assert.ok(first.ok);
    assert.equal((await limits.admit(asker('U0BOTH', 1))).ok, false);
    await first.release();
    assert.equal((await limits.admit(asker('U0BOTH', 2))).ok, true, 'the refused question did not use up the minute');
  });

  it('lets a question through, with a warning, when the counts cannot be reached', async () => {
    const { coordinator, link } = await pool.open('replica-gone');
    await link.close();
    const admission = await personLimits({ questionsPerMinute: 1, turnSeconds: 900 }, coordinator, silentLogger).admit(asker('U0X', 1));
    assert.equal(admission.ok, true);
  });
});
