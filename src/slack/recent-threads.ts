// Each person's recent threads with the bot (for the App Home and /mcp), newest first, with a short
// title taken from the question. Kept in the store with the history's TTL.
import type { Store } from '../store.js';
import type { Question } from './question.js';

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

export function createRecentThreads(store: Store, ttlMs: number): RecentThreads {
  const id = (teamId: string, userId: string) => `recent:${teamId}:${userId}`;
  const list = async (teamId: string, userId: string) => ((await store.get(id(teamId, userId))) as RecentThread[] | undefined) ?? [];
  return {
    list,
    async touch(teamId, userId, thread) {
      const current = await list(teamId, userId);
      const others = current.filter((t) => t.key !== thread.key);
      const existing = current.find((t) => t.key === thread.key);
      // A thread keeps the title of the question that started it.
      const entry = { ...thread, title: existing?.title ?? thread.title };
      await store.set(id(teamId, userId), [entry, ...others].slice(0, RECENT_THREADS_KEPT), ttlMs);
    },
    async remove(teamId, userId, key) {
      await store.set(id(teamId, userId), (await list(teamId, userId)).filter((t) => t.key !== key), ttlMs);
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
