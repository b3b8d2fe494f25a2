// Questions that wait for a person's click (approvals, forms a server asks for): the answer goes
// through the store, not memory, so a click that reaches another replica counts, and the waiting
// turn finds it by polling. The waiter keeps a heartbeat under a key of its own (it never rewrites
// what a click writes); a question whose heartbeat is stale has nobody waiting any more (the bot
// restarted or died), and a click on it is told so instead of pretending something will happen.
//
// Who decides is settled once, atomically, through the coordinator (Redis: one script; one process:
// a synchronous map): two clicks at once (Approve and Deny by two people, or one click delivered to
// two replicas) cannot both win, and the end of the wait (time out, withdrawn) takes part in the same
// race, so a click that lands as the wait ends is either the answer or told it came too late. The
// loser learns what stands, so the person can be told what was decided and by whom.
import type { Settled } from '../../coordination/index.js';
import type { Store } from '../../store.js';

export interface Answered<A> {
  answer: A;
  by: string;
}

export type AnswerResult<A> =
  | { kind: 'taken' }
  /** Decided before this click: `decided` says how, or is absent when the question ended unanswered. */
  | { kind: 'answered-already'; decided?: Answered<A> }
  | { kind: 'nobody-waiting' };

/** The coordinator's first-wins write (Coordinator.settle). */
export type Settle = (key: string, value: string, ttlMs: number) => Promise<Settled>;

export interface PendingBoard<A> {
  /** Starts waiting for the answer to `id` (call before showing the question). */
  open(id: string, ttlMs: number): Promise<void>;
  /**
   * The answer, or undefined when `expiresAt` passes or `signal` aborts first. Ending unanswered
   * settles the question as over, so later clicks are refused; a click that won that race is the answer.
   */
  wait(id: string, expiresAt: number, signal: AbortSignal): Promise<Answered<A> | undefined>;
  /** Records a person's answer, if somebody still waits for it and nobody decided before. */
  answer(id: string, answer: A, by: string): Promise<AnswerResult<A>>;
  /** Marks a question as over (answered, expired or withdrawn), so later clicks are refused. */
  close(id: string): Promise<void>;
}

/** The waiter refreshes its heartbeat every poll; this many missed polls mean it is gone. */
export const GONE_AFTER_POLLS = 5;
/** How long a decision (and an answer) is remembered, so a late click is told what happened. */
const DECISION_TTL_MS = 3_600_000;

/** What the settle key holds: a person's answer, or that the question ended without one. */
type Decision<A> = Answered<A> | { over: true };

/** `pollMs` (APPROVAL_POLL_MS) sets both how fast a click on another replica is seen and the "gone" wait. */
export function createPendingBoard<A>(store: Store, settle: Settle, prefix: string, pollMs = 1000): PendingBoard<A> {
  const staleMs = pollMs * GONE_AFTER_POLLS;
  const answerKey = (id: string) => `${prefix}-answer:${id}`;
  const heartbeatKey = (id: string) => `${prefix}-heartbeat:${id}`;
  const decisionKey = (id: string) => `${prefix}-decision:${id}`;
  const closedKey = (id: string) => `${prefix}-closed:${id}`;
  /** Wakes a waiter in this process at once; other replicas find the answer by polling. */
  const wakers = new Map<string, () => void>();

  /** Settles `id` as `decision` unless it is settled already; the decision that stands, and whether it is this one. */
  async function decide(id: string, decision: Decision<A>): Promise<{ won: boolean; standing: Decision<A> }> {
    const settled = await settle(decisionKey(id), JSON.stringify(decision), DECISION_TTL_MS);
    // Also in the store: a one-process coordinator forgets at a restart, the store does not.
    if (settled.won && 'over' in decision) await store.set(closedKey(id), true, DECISION_TTL_MS);
    return { won: settled.won, standing: settled.won ? decision : (JSON.parse(settled.value) as Decision<A>) };
  }
  const answered = (decision: Decision<A>): Answered<A> | undefined => ('over' in decision ? undefined : decision);

  return {
    async open(id, ttlMs) {
      await store.set(heartbeatKey(id), Date.now(), ttlMs + 60_000);
    },

    async wait(id, expiresAt, signal) {
      try {
        for (;;) {
          if (!signal.aborted) {
            const found = (await store.get(answerKey(id))) as Answered<A> | undefined;
            if (found) return found;
          }
          const left = expiresAt - Date.now();
          if (signal.aborted || left <= 0) {
            // A click may have won the race with the end of the wait: then it is the answer (unless the turn was stopped).
            const { standing } = await decide(id, { over: true });
            return signal.aborted ? undefined : answered(standing);
          }
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
      // Decided before a restart (sqlite://): the coordinator of this process never saw it.
      const before = (await store.get(answerKey(id))) as Answered<A> | undefined;
      if (before) return { kind: 'answered-already', decided: before };
      if ((await store.get(closedKey(id))) === true) return { kind: 'answered-already' };
      const heartbeat = ((await store.get(heartbeatKey(id))) as number | undefined) ?? 0;
      if (Date.now() - heartbeat > staleMs) {
        const { won, standing } = await decide(id, { over: true });
        return won ? { kind: 'nobody-waiting' } : { kind: 'answered-already', ...decidedOf(answered(standing)) };
      }
      const { won, standing } = await decide(id, { answer, by });
      if (!won) return { kind: 'answered-already', ...decidedOf(answered(standing)) };
      await store.set(answerKey(id), { answer, by }, DECISION_TTL_MS);
      wakers.get(id)?.();
      return { kind: 'taken' };
    },

    async close(id) {
      await decide(id, { over: true });
    },
  };
}

/** `decided` only when there is one (exactOptionalPropertyTypes-friendly). */
function decidedOf<A>(decided: Answered<A> | undefined): { decided?: Answered<A> } {
  return decided ? { decided } : {};
}
