// Redis coordinators for the unit tests, each on its own connection: two of them are two
// "processes" as far as Redis can tell. Every test gets its own key prefix, cleaned up after.
import { connectRedis, type RedisLink } from '../../src/coordination/redis-link.js';
import { createRedisCoordinator, type RedisCoordinatorOptions } from '../../src/coordination/redis.js';
import type { Coordinator } from '../../src/coordination/types.js';
import { deleteKeysWith, REDIS_URL, runId } from './replica-redis.js';

export interface TestCoordinator {
  coordinator: Coordinator;
  /** Its connection: closing it is how a test plays the holder's death. */
  link: RedisLink;
}

export interface CoordinatorPool {
  prefix: string;
  /** A coordinator on a new connection, named `owner`. */
  open(owner: string, options?: Partial<Omit<RedisCoordinatorOptions, 'link' | 'owner' | 'prefix'>>, url?: string): Promise<TestCoordinator>;
  /** Closes every coordinator and deletes the prefix's keys. */
  close(): Promise<void>;
}

export function coordinatorPool(): CoordinatorPool {
  const prefix = `test:${runId()}:`;
  const opened: TestCoordinator[] = [];
  return {
    prefix,
    async open(owner, options = {}, url = REDIS_URL) {
      const link = await connectRedis(url, { connectAttempts: 2, commandTimeoutMs: 2000 });
      const coordinator = createRedisCoordinator({ link, owner, prefix, ...options });
      const opened1 = { coordinator, link };
      opened.push(opened1);
      return opened1;
    },
    async close() {
      await Promise.all(opened.map((c) => c.coordinator.close().catch(() => {})));
      await deleteKeysWith(prefix);
    },
  };
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it holds (the test's own timeout bounds the wait). */
export async function until(check: () => boolean | Promise<boolean>, pauseMs = 10): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, pauseMs));
}
