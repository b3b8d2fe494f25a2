// Each person's recent threads with the bot (for the App Home and /mcp), newest first, with a short
// title taken from the question. Kept in the store with the history's TTL.
import type { Store } from '../../store.js';
import type { Question } from '../intake/question.js';

export interface RecentThread {
  key: string;
  channel: string;
  threadTs: string;
  title: string;
  at: number;
}

export interface RecentThreads {
  touch(teamId: string, userId: string, thread: RecentThread): Promise<void>;
  list(teamId: string, userId: string): Promise<RecentThread[]>;
  remove(teamId: string, userId: string, key: string): Promise<void>;
}

export const RECENT_THREADS_KEPT = 10;

/** Runs `fn` while holding `key` (one process: a promise chain; replicas: the Redis lock). */
export type Lock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

export function createRecentThreads(store: Store, ttlMs: number, lock: Lock): RecentThreads {
  const id = (teamId: string, userId: string) => `recent:${teamId}:${userId}`;
  const list = async (teamId: string, userId: string) => ((await store.get(id(teamId, userId))) as RecentThread[] | undefined) ?? [];
  // Each change reads the list and writes it back; one person asking in several threads at once
  // would lose entries if two changes overlapped, so the changes of one person take a lock.
  const change = (teamId: string, userId: string, edit: (current: RecentThread[]) => RecentThread[]): Promise<void> => {
    const k = id(teamId, userId);
    return lock(k, async () => {
      await store.set(k, edit(await list(teamId, userId)), ttlMs);
    });
  };
  return {
    list,
    touch(teamId, userId, thread) {
      return change(teamId, userId, (current) => {
        // A thread keeps the title of the question that started it.
        const entry = { ...thread, title: current.find((t) => t.key === thread.key)?.title ?? thread.title };
        return [entry, ...current.filter((t) => t.key !== thread.key)].slice(0, RECENT_THREADS_KEPT);
      });
    },
    remove(teamId, userId, key) {
      return change(teamId, userId, (current) => current.filter((t) => t.key !== key));
    },
  };
}

/** A thread's title: the first line of its question, shortened. */
export function threadTitle(question: string): string {
  const line = question.split('\n')[0]?.trim() ?? '';
  return line.length > 60 ? line.slice(0, 59) + '…' : line || '(no text)';
}

/** A question as an entry of its asker's recent threads. */
export function recentEntry(question: Question): RecentThread {
  return { key: question.key, channel: question.channel, threadTs: question.threadTs, title: threadTitle(question.text), at: Date.now() };
}
