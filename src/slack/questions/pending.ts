// Questions that wait for a person's click (approvals, forms a server asks for): the answer goes
// through the store, not memory, so a click that reaches another replica counts, and the waiting
// turn finds it by polling. The waiter keeps a heartbeat under a key of its own (it never rewrites
// what a click writes); a question whose heartbeat is stale has nobody waiting any more (the bot
// restarted or died), and a click on it is told so instead of pretending something will happen.
import type { Store } from '../../store.js';

export type AnswerResult = 'taken' | 'answered-already' | 'nobody-waiting';

export interface Answered<A> {
  answer: A;
  by: string;
}

export interface PendingBoard<A> {
  /** Starts waiting for the answer to `id` (call before showing the question). */
  open(id: string, ttlMs: number): Promise<void>;
  /** The answer, or undefined when `expiresAt` passes or `signal` aborts first. */
  wait(id: string, expiresAt: number, signal: AbortSignal): Promise<Answered<A> | undefined>;
  /** Records a person's answer, if somebody still waits for it and nobody answered before. */
  answer(id: string, answer: A, by: string): Promise<AnswerResult>;
  /** Marks a question as over (answered, expired or withdrawn), so later clicks are refused. */
  close(id: string): Promise<void>;
}

/** The waiter refreshes its heartbeat every poll; this many missed polls mean it is gone. */
export const GONE_AFTER_POLLS = 5;

/** `pollMs` (APPROVAL_POLL_MS) sets both how fast a click on another replica is seen and the "gone" wait. */
export function createPendingBoard<A>(store: Store, prefix: string, pollMs = 1000): PendingBoard<A> {
  const staleMs = pollMs * GONE_AFTER_POLLS;
  const answerKey = (id: string) => `${prefix}-answer:${id}`;
  const heartbeatKey = (id: string) => `${prefix}-heartbeat:${id}`;
  const closedKey = (id: string) => `${prefix}-closed:${id}`;
  /** Wakes a waiter in this process at once; other replicas find the answer by polling. */
  const wakers = new Map<string, () => void>();

  return {
    async open(id, ttlMs) {
      await store.set(heartbeatKey(id), Date.now(), ttlMs + 60_000);
    },

    async wait(id, expiresAt, signal) {
      try {
        for (;;) {
          if (signal.aborted) return undefined;
          const answered = (await store.get(answerKey(id))) as Answered<A> | undefined;
          if (answered) return answered;
          const left = expiresAt - Date.now();
          if (left <= 0) return undefined;
          await store.set(heartbeatKey(id), Date.now(), left + 60_000);
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              signal.removeEventListener('abort', wake);
              resolve();
            };
            const timer = setTimeout(wake, Math.min(pollMs, left));
            signal.addEventListener('abort', wake, { once: true });
            wakers.set(id, wake);
          });
          wakers.delete(id);
        }
      } finally {
        wakers.delete(id);
      }
    },

    async answer(id, answer, by) {
      if ((await store.get(closedKey(id))) === true || (await store.get(answerKey(id))) !== undefined) return 'answered-already';
      const heartbeat = ((await store.get(heartbeatKey(id))) as number | undefined) ?? 0;
      if (Date.now() - heartbeat > staleMs) {
        await store.set(closedKey(id), true, 3_600_000);
        return 'nobody-waiting';
      }
      await store.set(answerKey(id), { answer, by }, 3_600_000);
      wakers.get(id)?.();
      return 'taken';
    },

    async close(id) {
      await store.set(closedKey(id), true, 3_600_000);
    },
  };
}
