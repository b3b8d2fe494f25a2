// A question taken again after the worker answering it died (a crash, a kill, a lost replica, or
// a stop that cut it off): what the person sees. One short note that the answer was interrupted and
// is being redone, then the answer, once; after MAX_ATTEMPTS interrupted attempts, one plain
// sentence instead of trying forever. `priorAnswer` is the seam for finding an answer the dead
// attempt already finished (by the question's id in message metadata): for now it finds none.
import type { Question } from './question.js';

/** Attempts that may be interrupted before the thread is told the bot gives up. */
export const MAX_ATTEMPTS = 3;

/** What the thread already holds of the answer to a question. */
export type PriorAnswer = 'finished' | 'partial' | 'none';
export type FindPriorAnswer = (question: Question) => Promise<PriorAnswer>;

/** Until replies carry their question's id in message metadata, nothing can be found. */
export const noPriorAnswer: FindPriorAnswer = () => Promise.resolve('none');

export type Resumption = { kind: 'fresh' } | { kind: 'skip' } | { kind: 'redo'; note: string } | { kind: 'give-up'; sentence: string };

/** What to do with a question on its `attempt`-th take. */
export async function resumption(question: Question, attempt: number, priorAnswer: FindPriorAnswer): Promise<Resumption> {
  if (attempt <= 1) return { kind: 'fresh' };
  if ((await priorAnswer(question)) === 'finished') return { kind: 'skip' };
  if (attempt > MAX_ATTEMPTS) {
    return { kind: 'give-up', sentence: `:warning: Sorry, I could not answer this: I was interrupted ${attempt - 1} times while working on it. Please ask again.` };
  }
  return { kind: 'redo', note: ':repeat: My answer to this was interrupted (I restarted), so I am answering it again.' };
}
