// The inbox in this process's memory, for memory:// stores: fast and exact while the process
// lives, gone when it dies (README says so). Everything is synchronous, so accept is atomic.
import type { Question } from '../slack/intake/question.js';
import { questionId, type AcceptOptions, type AcceptResult, type Inbox, type InboxOptions, type QueuedQuestion, type TakenQuestion } from './types.js';

/** Never aborted: in one process nothing takes a thread away from its worker. */
const NEVER_LOST = new AbortController().signal;

export function createMemoryInbox(options: InboxOptions): Inbox {
  const now = options.now ?? Date.now;
  /** Threads with work, in the order they got it; each thread's questions head first. */
  const threads = new Map<string, QueuedQuestion[]>();
  const held = new Set<string>();
  const attempts = new Map<string, number>();
  const claims = new Map<string, number>(); // id -> expiry
  const engaged = new Map<string, number>(); // thread -> expiry
  let size = 0;

  const live = (map: Map<string, number>, key: string) => (map.get(key) ?? 0) > now();
  const prune = () => {
    const at = now();
    for (const [id, expires] of claims) if (expires <= at) claims.delete(id);
  };

  const takeMany = (limit: number): TakenQuestion[] => {
    const taken: TakenQuestion[] = [];
    for (const [thread, line] of threads) {
      if (taken.length >= limit) break;
      const head = line[0];
      if (held.has(thread) || !head) continue;
      held.add(thread);
      const attempt = (attempts.get(head.id) ?? 0) + 1;
      attempts.set(head.id, attempt);
      taken.push({ entry: head, attempt, lost: NEVER_LOST });
    }
    return taken;
  };

  return {
    kind: 'memory',
    durable: false,
    accept(question: Question, { ids, onlyIfEngaged }: AcceptOptions): Promise<AcceptResult> {
      if (onlyIfEngaged && !live(engaged, question.key)) return Promise.resolve('not-engaged');
      prune();
      const seen = ids.some((id) => live(claims, id));
      for (const id of ids) claims.set(id, now() + options.claimTtlMs);
      if (seen) return Promise.resolve('duplicate');
      const line = threads.get(question.key) ?? [];
      line.push({ id: questionId(question), thread: question.key, question, acceptedAt: now() });
      threads.set(question.key, line);
      engaged.set(question.key, now() + options.engagedTtlMs);
      size += 1;
      return Promise.resolve('accepted');
    },
    take: () => Promise.resolve(takeMany(1)[0]),
    takeMany: (limit) => Promise.resolve(takeMany(limit)),
    finish(taken: TakenQuestion) {
      const { thread, id } = taken.entry;
      const line = threads.get(thread);
      if (line?.[0]?.id === id) {
        line.shift();
        size -= 1;
        attempts.delete(id);
      }
      held.delete(thread);
      // The thread goes to the back: other threads with work get a worker before its next question.
      threads.delete(thread);
      if (line && line.length > 0) threads.set(thread, line);
      return Promise.resolve();
    },
    release(taken: TakenQuestion) {
      held.delete(taken.entry.thread);
      return Promise.resolve();
    },
    isEngaged(thread) {
      return Promise.resolve(live(engaged, thread));
    },
    size() {
      return Promise.resolve(size);
    },
    close() {
      return Promise.resolve();
    },
  };
}
