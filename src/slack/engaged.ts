// Threads the bot has answered in: a plain follow-up there (no new mention) is for the bot too.
// Kept in the store so it holds across restarts and replicas.
import type { Store } from '../store.js';

export interface EngagedThreads {
  mark(key: string): Promise<void>;
  has(key: string): Promise<boolean>;
}

export function createEngagedThreads(store: Store, ttlMs: number): EngagedThreads {
  const id = (key: string) => `engaged:${key}`;
  return {
    async mark(key) {
      await store.set(id(key), true, ttlMs);
    },
    async has(key) {
      return (await store.get(id(key))) === true;
    },
  };
}
