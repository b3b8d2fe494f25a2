// A question taken again after the worker answering it died (a crash, a kill, a lost replica, or
// a stop that cut it off): what the person sees. One short note that the answer was interrupted and
// is being redone, then the answer, once; after MAX_ATTEMPTS interrupted attempts, one plain
// sentence instead of trying forever. `priorAnswer` finds what the dead attempt left in the thread
// (by the question's id in message metadata, reply-metadata.ts): an answer it finished is only
// marked done, and a partial one is said to be interrupted rather than left looking finished.
import type { Question } from './question.js';
import type { AnswerState } from '../reply/reply-metadata.js';

/** Attempts that may be interrupted before the thread is told the bot gives up. */
export const MAX_ATTEMPTS = 3;

export type FindPriorAnswer = (question: Question) => Promise<AnswerState>;

/** For tests and front ends without message metadata: nothing can be found. */
export const noPriorAnswer: FindPriorAnswer = () => Promise.resolve({ state: 'none' });

export type Resumption =
  | { kind: 'fresh' }
  | { kind: 'skip' }
  | { kind: 'redo'; note: string; partial?: PartialReply }
  | { kind: 'give-up'; sentence: string; partial?: PartialReply };

/** The reply a dead attempt left: its ts, and whether it is a stream still open. */
export interface PartialReply {
  ts: string;
  unstopped: boolean;
}

export const INTERRUPTED_TEXT = ':warning: This answer was interrupted before it was finished.';

/** What to do with a question on its `attempt`-th take. */
export async function resumption(question: Question, attempt: number, priorAnswer: FindPriorAnswer): Promise<Resumption> {
  if (attempt <= 1) return { kind: 'fresh' };
  const prior = await priorAnswer(question);
  if (prior.state === 'finished') return { kind: 'skip' };
  const partial = prior.state === 'partial' ? { ts: prior.ts, unstopped: prior.unstopped } : undefined;
  if (attempt > MAX_ATTEMPTS) {
    return { kind: 'give-up', sentence: `:warning: Sorry, I could not answer this: I was interrupted ${attempt - 1} times while working on it. Please ask again.`, partial };
  }
  return { kind: 'redo', note: ':repeat: My answer to this was interrupted (I restarted), so I am answering it again.', partial };
}
