// The coordinator for replicas sharing one Redis: claims by SET NX, locks with a renewed lease
// that passes in arrival order. A holder that dies stops renewing, its lease runs out, and the
// next waiter gets the lock. Every failure to reach Redis rejects with CoordinationUnavailableError.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../log.js';
import { CoordinatorClosedError, LockLostError, LockTimeoutError, messageOf } from './errors.js';
import { keepLease, type LeaseKeeper } from './lease.js';
import { createRedisClaims } from './redis-claims.js';
import type { RedisLink } from './redis-link.js';
import { createRedisLocks } from './redis-locks.js';
import { createRedisSlots } from './redis-slots.js';
import { DEFAULT_LEASE_MS, DEFAULT_WAIT_MS, type Coordinator } from './types.js';

export interface RedisCoordinatorOptions {
  link: RedisLink;
  /** Prefix of every key this coordinator writes. */
  prefix: string;
  /** Who claims and holds (host:pid), stored with claims and in tokens, for whoever reads Redis. */
  owner: string;
  logger?: Logger;
  leaseMs?: number;
  waitMs?: number;
  /** Polling of a busy lock: from the first to the longest pause, doubling. */
  pollMs?: { first: number; max: number };
}

interface Held {
  key: string;
  token: string;
  lease: LeaseKeeper;
  lost: AbortController;
}

export function createRedisCoordinator(options: RedisCoordinatorOptions): Coordinator {
  const { link, owner } = options;
  const log = options.logger ?? silentLogger;
  const poll = options.pollMs ?? { first: 10, max: 100 };
  const claims = createRedisClaims(link, { prefix: options.prefix, owner });
  const slots = createRedisSlots(link, options.prefix);
  const locks = createRedisLocks(link, { prefix: options.prefix, waiterTtlMs: Math.max(5000, poll.max * 25) });
  const closing = new AbortController(); // wakes every waiter when the coordinator closes
  const held = new Set<Held>();

  async function waitFor(key: string, token: string, leaseMs: number, waitMs: number): Promise<void> {
    const startedAt = Date.now();
    let pause = poll.first;
    for (;;) {
      if (closing.signal.aborted) throw new CoordinatorClosedError();
      if (await locks.tryAcquire(key, token, leaseMs)) return;
      const left = startedAt + waitMs - Date.now();
      if (left <= 0) throw new LockTimeoutError(key, waitMs);
      try {
        await sleep(Math.min(pause, left), undefined, { signal: closing.signal });
      } catch {
        throw new CoordinatorClosedError();
      }
      pause = Math.min(pause * 2, poll.max);
    }
  }

  async function acquire(key: string, token: string, leaseMs: number, waitMs: number): Promise<void> {
    try {
      await waitFor(key, token, leaseMs, waitMs);
    } catch (error) {
      // Leave the line so the ones behind do not wait for a waiter that gave up; if Redis is out
      // of reach, the waiter entry runs out on its own.
      await locks.leave(key, token).catch(() => {});
      throw error;
    }
  }

  async function release(entry: Held): Promise<void> {
    entry.lease.stop();
    held.delete(entry);
    try {
      if (!(await locks.release(entry.key, entry.token))) log.warn('coordination: a lock had already run out when it was released', { key: entry.key });
    } catch (error) {
      log.warn('coordination: could not release a lock; it runs out with its lease', { key: entry.key, error: messageOf(error) });
    }
  }

  return {
    claim(ids, ttlMs) {
      if (closing.signal.aborted) return Promise.reject(new CoordinatorClosedError());
      return claims.claim(ids, ttlMs);
    },

    settle(key, value, ttlMs) {
      if (closing.signal.aborted) return Promise.reject(new CoordinatorClosedError());
      return slots.settle(key, value, ttlMs);
    },

    takeSlot(key, member, limit, ttlMs) {
      if (closing.signal.aborted) return Promise.reject(new CoordinatorClosedError());
      return slots.takeSlot(key, member, limit, ttlMs);
    },

    freeSlot(key, member) {
      if (closing.signal.aborted) return Promise.resolve();
      return slots.freeSlot(key, member);
    },

    async withLock(key, fn, lockOptions = {}) {
      if (closing.signal.aborted) throw new CoordinatorClosedError();
      const leaseMs = lockOptions.leaseMs ?? options.leaseMs ?? DEFAULT_LEASE_MS;
      const token = `${owner}:${randomUUID()}`;
      await acquire(key, token, leaseMs, lockOptions.waitMs ?? options.waitMs ?? DEFAULT_WAIT_MS);
      const lost = new AbortController();
      const entry: Held = {
        key,
        token,
        lost,
        lease: keepLease({
          leaseMs,
          logger: log,
          renew: () => locks.renew(key, token, leaseMs),
          onLost: () => {
            log.warn('coordination: lost a lock while holding it', { key });
            lost.abort(new LockLostError(key));
          },
        }),
      };
      held.add(entry);
      try {
        return await fn(lost.signal);
      } finally {
        // Released even when fn throws; a failed release is logged, never thrown over fn's result.
        if (held.has(entry)) await release(entry);
      }
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      // Anything still holding at shutdown is about to be cut off: let the next process in now
      // rather than after the lease.
      await Promise.all(
        [...held].map((entry) => {
          entry.lost.abort(new CoordinatorClosedError());
          return release(entry);
        }),
      );
      await link.close();
    },
  };
}
