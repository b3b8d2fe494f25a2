// Spend per person, channel and day in the store: a question counts once however often it is
// recorded, turns recorded at once all count (one process, and two replicas sharing Redis), the
// daily cap says in one sentence what it is and when it resets, and App Home's summary ranks people
// and channels over 7 days. (The Redis case needs Redis at REDIS_URL or 127.0.0.1:6379.)
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Keyv from 'keyv';
import { createLocalCoordinator } from '../../src/coordination/local.js';
import type { Coordinator } from '../../src/coordination/types.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { openStore } from '../../src/store.js';
import { createSpendKeeper, createSpendLedger, lastDays, type DaySpend, type TurnSpend } from '../../src/spend/index.js';
import { summarize } from '../../src/spend/keeper.js';
import { coordinatorPool, type CoordinatorPool } from '../helpers/replica-coordinators.js';
import { deleteKeysWith, REDIS_URL, runId } from '../helpers/replica-redis.js';

const locked = (coordinator: Coordinator) => <T>(key: string, fn: () => Promise<T>) => coordinator.withLock(key, () => fn(), { leaseMs: 10_000, waitMs: 10_000 });
const turn = (n: number, more: Partial<TurnSpend> = {}): TurnSpend => ({ teamId: 'T1', userId: 'U0ANN', channel: 'C0ONE', questionId: `C0ONE:${n}.000100`, day: '2026-11-30', microUsd: 1000, ...more });
// 2026-11-30 21:30 UTC: two and a half hours before the cap resets.
const EVENING = Date.UTC(2026, 10, 30, 21, 30);
const tokens = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });

describe('spend ledger', () => {
  it('counts a question once however often it is recorded, and adds up people and channels', async () => {
    const ledger = createSpendLedger(new Keyv(), locked(createLocalCoordinator({ store: new Keyv() })));
    assert.equal(await ledger.record(turn(1)), true);
    assert.equal(await ledger.record(turn(1)), false, 'a redo of the same question is not counted again');
    await ledger.record(turn(2, { channel: 'C0TWO', microUsd: 500 }));
    await ledger.record(turn(3, { userId: 'U0BOB', microUsd: 250 }));
    await ledger.record(turn(4, { microUsd: undefined }));
    assert.equal(await ledger.personDay('T1', 'U0ANN', '2026-11-30'), 1500);
    assert.equal(await ledger.personDay('T1', 'U0ANN', '2026-11-29'), 0);
    const [day] = await ledger.teamDays('T1', ['2026-11-30']);
    assert.deepEqual(day, { day: '2026-11-30', microUsd: 1750, unpriced: 1, people: { U0ANN: 1500, U0BOB: 250 }, channels: { C0ONE: 1250, C0TWO: 500 } });
  });

  it('counts 50 turns that finish at once in one process', async () => {
    const ledger = createSpendLedger(new Keyv(), locked(createLocalCoordinator({ store: new Keyv() })));
    await Promise.all(Array.from({ length: 50 }, (_, n) => ledger.record(turn(n, { userId: n % 2 === 0 ? 'U0ANN' : 'U0BOB' }))));
    assert.equal(await ledger.personDay('T1', 'U0ANN', '2026-11-30'), 25_000);
    assert.equal((await ledger.teamDays('T1', ['2026-11-30']))[0]?.microUsd, 50_000);
  });

  it('adds 100 turns of 100 people that finish at once to the team\'s day in a few writes, not one write each', async () => {
    const store = new Keyv();
    let teamWrites = 0;
    const set = store.set.bind(store);
    store.set = ((key: string, value: unknown, ttl?: number) => {
      if (key.startsWith('spend:team:')) teamWrites += 1;
      return set(key, value, ttl);
    });
    const ledger = createSpendLedger(store, locked(createLocalCoordinator({ store: new Keyv() })));
    await Promise.all(Array.from({ length: 100 }, (_, n) => ledger.record(turn(n, { userId: `U0P${n}`, channel: `C0C${n % 4}` }))));
    const [day] = await ledger.teamDays('T1', ['2026-11-30']);
    assert.equal(day?.microUsd, 100_000);
    assert.equal(Object.keys(day?.people ?? {}).length, 100);
    assert.deepEqual(day?.channels, { C0C0: 25_000, C0C1: 25_000, C0C2: 25_000, C0C3: 25_000 });
    assert.ok(teamWrites <= 5, `the team's entry was written ${teamWrites} times for 100 turns`);
  });

  describe('on two replicas sharing Redis', () => {
    let pool: CoordinatorPool;
    let team: string;
    const stores: Keyv[] = [];
    beforeEach(() => {
      pool = coordinatorPool();
      team = `T${runId()}`;
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.disconnect()));
      await pool.close();
      await deleteKeysWith(team);
    });

    it('adds up 40 turns of one person recorded on both at once, each question once', async () => {
      const replicas = await Promise.all(
        ['replica-a', 'replica-b'].map(async (owner) => {
          const store = await openStore(REDIS_URL);
          stores.push(store);
          return createSpendLedger(store, locked((await pool.open(owner)).coordinator));
        }),
      );
      const turns = Array.from({ length: 40 }, (_, n) => turn(n, { teamId: team, channel: n % 4 === 0 ? 'C0TWO' : 'C0ONE' }));
      // Every question recorded on both replicas at once: a redo on the other replica after a crash.
      const counted = await Promise.all(turns.flatMap((t) => replicas.map((ledger) => ledger.record(t))));
      assert.equal(counted.filter(Boolean).length, 40);
      const [a, b] = replicas;
      assert.ok(a && b);
      assert.equal(await b.personDay(team, 'U0ANN', '2026-11-30'), 40_000);
      const [day] = await a.teamDays(team, ['2026-11-30']);
      assert.deepEqual(day?.channels, { C0ONE: 30_000, C0TWO: 10_000 });
      assert.deepEqual(day?.people, { U0ANN: 40_000 });
    });
  });
});

describe('spend keeper', () => {
  const keeper = (dailySpendUsd: number | undefined, model = 'claude-sonnet-5-5', write?: (line: string) => void) => {
    const ledger = createSpendLedger(new Keyv(), locked(createLocalCoordinator({ store: new Keyv() })));
    const logger = write ? createLogger({ level: 'debug', write }) : silentLogger;
    return createSpendKeeper({ ledger, prices: new Map([['claude-sonnet-5-5', { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 }]]), model, dailySpendUsd, logger, now: () => EVENING });
  };
  const finished = (n: number, userId = 'U0ANN') => ({ teamId: 'T1', userId, channel: 'C0ONE', questionId: `C0ONE:${n}.000100`, usage: tokens(500_000, 100_000) });

  it('lets a person ask until today\'s spend reaches the cap, then says so in one sentence; others go on', async () => {
    const spend = keeper(2);
    assert.deepEqual(await spend.admit({ teamId: 'T1', userId: 'U0ANN' }), { ok: true });
    await spend.record(finished(1)); // 500k in at $2 + 100k out at $10 = $2.00
    assert.deepEqual(await spend.admit({ teamId: 'T1', userId: 'U0ANN' }), {
      ok: false,
      message: 'You have used $2.00 today, and this bot spends at most $2.00 a day for one person; the limit resets at midnight UTC, in 2 hours 30 minutes, so please ask again then.',
    });
    assert.deepEqual(await spend.admit({ teamId: 'T1', userId: 'U0BOB' }), { ok: true });
  });

  it('has no cap when the policy sets none', async () => {
    const spend = keeper(undefined);
    await spend.record(finished(1));
    await spend.record(finished(2));
    assert.deepEqual(await spend.admit({ teamId: 'T1', userId: 'U0ANN' }), { ok: true });
  });

  it('counts a model with no price as unpriced, says so once in the log, and never fails', async () => {
    const lines: string[] = [];
    const spend = keeper(1, 'claude-mythos-preview', (line) => lines.push(line));
    await spend.record(finished(1));
    await spend.record(finished(2));
    const summary = await spend.summary('T1');
    assert.equal(summary.unpriced, 2);
    assert.equal(summary.weekMicroUsd, 0);
    assert.equal(lines.filter((line) => line.includes('the model has no price')).length, 1);
    assert.deepEqual(await spend.admit({ teamId: 'T1', userId: 'U0ANN' }), { ok: true });
  });

  it('sums 7 days for App Home: today, the week, and people and channels by spend, most first', () => {
    const day = (d: string, people: Record<string, number>, channels: Record<string, number>): DaySpend => ({
      day: d,
      microUsd: Object.values(people).reduce((a, b) => a + b, 0),
      unpriced: 0,
      people,
      channels,
    });
    const days = lastDays(EVENING, 7);
    assert.deepEqual(days.slice(0, 2), ['2026-11-30', '2026-11-29']);
    const summary = summarize([day(days[0] ?? '', { U0ANN: 100 }, { C0ONE: 100 }), day(days[1] ?? '', { U0BOB: 300, U0ANN: 50 }, { C0TWO: 350 })], 1);
    assert.deepEqual(summary, { todayMicroUsd: 100, weekMicroUsd: 450, unpriced: 0, people: [{ id: 'U0BOB', microUsd: 300 }], channels: [{ id: 'C0TWO', microUsd: 350 }] });
  });
});
