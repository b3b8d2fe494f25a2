// Per-person limits (policy `limits.questionsPerMinute`, `limits.turnsInFlight`), checked on the
// worker when a question's answer is about to start, never on the ack path. The counts are slots in
// the coordinator (Redis: a sorted set per person, shared by replicas; one process: a map), keyed by
// the question, so a question taken again after a crash holds the slot it had instead of a second one.
//
// Approximations, as documented in README: a question counts when its answer starts, not when it
// was sent (a burst waiting in the inbox is counted as it is answered); a per-minute slot is a
// sliding window of 60 s; an answer's slot is given back when its turn ends, and a replica that dies
// mid-answer frees it only when it expires (the turn's time limit plus a minute). If the counts
// cannot be reached (Redis away), the question is let through and a warning logged: the turn then
// meets the same store trouble and says so.
import type { Logger } from '../log.js';
import type { Limits } from './types.js';

/** What the limits need from the coordinator (Coordinator.takeSlot / freeSlot). */
export interface Slots {
  takeSlot(key: string, member: string, limit: number, ttlMs: number): Promise<boolean>;
  freeSlot(key: string, member: string): Promise<void>;
}

export interface Asker {
  teamId: string;
  userId: string;
  /** The question's own id (channel:ts): the member of its slots. */
  questionId: string;
}

export type Admission =
  | { ok: true; release(): Promise<void> }
  | { ok: false; limit: 'questionsPerMinute' | 'turnsInFlight'; message: string };

export interface PersonLimits {
  /** Takes the person's slots for this question, or says in one sentence which limit it hit. */
  admit(asker: Asker): Promise<Admission>;
}

const MINUTE_MS = 60_000;

export function personLimits(limits: Pick<Limits, 'questionsPerMinute' | 'turnsInFlight' | 'turnSeconds'>, slots: Slots, logger: Logger): PersonLimits {
  const { questionsPerMinute, turnsInFlight } = limits;
  // An answer cannot outlive its time limit; the extra minute covers the clean-up after it.
  const inFlightTtlMs = limits.turnSeconds * 1000 + MINUTE_MS;
  const nothing = { ok: true as const, release: () => Promise.resolve() };

  return {
    async admit({ teamId, userId, questionId }) {
      if (questionsPerMinute === undefined && turnsInFlight === undefined) return nothing;
      const inFlightKey = `limits:in-flight:${teamId}:${userId}`;
      const perMinuteKey = `limits:per-minute:${teamId}:${userId}`;
      try {
        if (turnsInFlight !== undefined && !(await slots.takeSlot(inFlightKey, questionId, turnsInFlight, inFlightTtlMs))) {
          return { ok: false, limit: 'turnsInFlight', message: inFlightSentence(turnsInFlight) };
        }
        if (questionsPerMinute !== undefined && !(await slots.takeSlot(perMinuteKey, questionId, questionsPerMinute, MINUTE_MS))) {
          if (turnsInFlight !== undefined) await slots.freeSlot(inFlightKey, questionId);
          return { ok: false, limit: 'questionsPerMinute', message: perMinuteSentence(questionsPerMinute) };
        }
      } catch (error) {
        logger.warn('could not check the per-person limits; the question goes ahead', { user: userId, error: error instanceof Error ? error.message : String(error) });
        return nothing;
      }
      if (turnsInFlight === undefined) return nothing;
      return {
        ok: true,
        release: () =>
          slots.freeSlot(inFlightKey, questionId).catch((error: unknown) =>
            logger.warn('could not give back an answer slot; it expires by itself', { user: userId, error: error instanceof Error ? error.message : String(error) }),
          ),
      };
    },
  };
}

function perMinuteSentence(limit: number): string {
  return `You have asked ${limit === 1 ? 'a question' : `${limit} questions`} in the last minute, the most this bot answers for one person; please wait a minute, then ask again.`;
}

function inFlightSentence(limit: number): string {
  return `I am already answering ${limit === 1 ? 'a question' : `${limit} questions`} of yours; please wait until ${limit === 1 ? 'it is' : 'one is'} done, then ask again.`;
}
