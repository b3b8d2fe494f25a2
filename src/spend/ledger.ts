// Spend per person, per channel and per UTC day, in the store (Keyv: sqlite, Redis or memory). Two
// entries a day: one per person (what the daily cap reads, and the ids of the questions counted, so a
// question recorded twice, a redo after a crash or a repeated call, counts once) and one per team
// (people and channels, what App Home shows). Each is read, changed and written under the
// coordinator's lock on its key (`withLock`: in Redis for replicas, so two replicas adding at once
// both count; in the process for sqlite:// and memory://), the way recent threads are kept.
// Amounts are whole micro-dollars; a turn on a model with no price counts in `unpriced` instead.
import type Keyv from 'keyv';
import { z } from 'zod';

/** Runs fn holding the lock on key (Coordinator.withLock, with a short lease). */
export type WithLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export interface TurnSpend {
  teamId: string;
  userId: string;
  channel: string;
  /** The question's own id (channel:ts): a question counts once, whatever happens. */
  questionId: string;
  /** The UTC day it is counted in, YYYY-MM-DD. */
  day: string;
  /** Undefined: the model has no price; the turn is counted as unpriced. */
  microUsd: number | undefined;
}

export interface DaySpend {
  day: string;
  microUsd: number;
  /** Turns whose model had no price. */
  unpriced: number;
  /** Micro-dollars by user id, and by channel id. */
  people: Record<string, number>;
  channels: Record<string, number>;
}

export interface SpendLedger {
  /** Adds a turn's spend; false when its question was counted already. */
  record(turn: TurnSpend): Promise<boolean>;
  /** What one person spent on one day, in micro-dollars. */
  personDay(teamId: string, userId: string, day: string): Promise<number>;
  /** The team's spend on each of these days (a day with nothing is all zeros). */
  teamDays(teamId: string, days: readonly string[]): Promise<DaySpend[]>;
}

/** Long enough for the week App Home shows, and a month for whoever reads the store. */
export const SPEND_KEEP_DAYS = 35;
const DAY_MS = 86_400_000;

const amounts = z.record(z.string(), z.number());
const personEntry = z.object({ microUsd: z.number(), unpriced: z.number(), questions: z.array(z.string()) });
const teamEntry = z.object({ microUsd: z.number(), unpriced: z.number(), people: amounts, channels: amounts });
type PersonEntry = z.infer<typeof personEntry>;
type TeamEntry = z.infer<typeof teamEntry>;

/** One turn's share of a team's day. */
interface TeamAddition {
  userId: string;
  channel: string;
  cost: number;
  unpriced: number;
}

export function createSpendLedger(store: Keyv, withLock: WithLock, keepDays = SPEND_KEEP_DAYS): SpendLedger {
  const ttlMs = keepDays * DAY_MS;
  const personKey = (teamId: string, userId: string, day: string) => `spend:person:${teamId}:${userId}:${day}`;
  const teamKey = (teamId: string, day: string) => `spend:team:${teamId}:${day}`;
  // An entry that is missing or not of this shape (written by hand, or by a later version) starts from zero.
  const read = async <T>(key: string, schema: z.ZodType<T>, empty: T): Promise<T> => {
    const parsed = schema.safeParse(await store.get(key));
    return parsed.success ? parsed.data : empty;
  };
  const emptyPerson = (): PersonEntry => ({ microUsd: 0, unpriced: 0, questions: [] });
  const emptyTeam = (): TeamEntry => ({ microUsd: 0, unpriced: 0, people: {}, channels: {} });

  // The team's entry of a day is one key that every turn of the team adds to. One lock + read + write
  // per turn would queue a burst's turns one behind the other on it (500 threads at once: 500 of them
  // in a row), so the turns that finish while an update waits for the lock or holds it are added by
  // the next update, all at once: one lock, one read and one write for all of them.
  const open = new Map<string, { additions: TeamAddition[]; done: Promise<void> }>();
  const addToTeam = (key: string, addition: TeamAddition): Promise<void> => {
    const waiting = open.get(key);
    if (waiting) {
      waiting.additions.push(addition);
      return waiting.done;
    }
    const batch = { additions: [addition], done: Promise.resolve() };
    open.set(key, batch);
    batch.done = withLock(key, async () => {
      open.delete(key); // from here on, a turn that finishes starts the next update
      const entry = await read(key, teamEntry, emptyTeam());
      for (const { userId, channel, cost, unpriced } of batch.additions) {
        entry.microUsd += cost;
        entry.unpriced += unpriced;
        entry.people[userId] = (entry.people[userId] ?? 0) + cost;
        entry.channels[channel] = (entry.channels[channel] ?? 0) + cost;
      }
      await store.set(key, entry, ttlMs);
    }).catch((error: unknown) => {
      // The lock was never had: the next turn starts a new update rather than joining this failed one.
      if (open.get(key) === batch) open.delete(key);
      throw error;
    });
    return batch.done;
  };

  return {
    async record(turn) {
      const { teamId, userId, channel, day } = turn;
      const cost = turn.microUsd ?? 0;
      const unpriced = turn.microUsd === undefined ? 1 : 0;
      const mine = personKey(teamId, userId, day);
      const counted = await withLock(mine, async () => {
        const entry = await read(mine, personEntry, emptyPerson());
        if (entry.questions.includes(turn.questionId)) return false;
        await store.set(mine, { microUsd: entry.microUsd + cost, unpriced: entry.unpriced + unpriced, questions: [...entry.questions, turn.questionId] }, ttlMs);
        return true;
      });
      if (!counted) return false;
      await addToTeam(teamKey(teamId, day), { userId, channel, cost, unpriced });
      return true;
    },
    async personDay(teamId, userId, day) {
      return (await read(personKey(teamId, userId, day), personEntry, emptyPerson())).microUsd;
    },
    async teamDays(teamId, days) {
      return Promise.all(days.map(async (day) => ({ day, ...(await read(teamKey(teamId, day), teamEntry, emptyTeam())) })));
    },
  };
}

/** The UTC day of a moment, YYYY-MM-DD. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The last `count` UTC days up to the day of `at`, newest first. */
export function lastDays(at: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => utcDay(at - i * DAY_MS));
}

/** Milliseconds from `at` to the next UTC midnight, when the daily cap starts again. */
export function untilUtcMidnight(at: number): number {
  return DAY_MS - (at % DAY_MS);
}
