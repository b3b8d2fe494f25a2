// The lock primitives over Redis, one atomic script each. A lock is a key holding its holder's
// token with a lease (PX); waiters stand in a per-lock line so the lock passes in arrival order.
// Knowing a token is the only way to renew or release a lock, so no one releases another's lock.
import { ACQUIRE, LEAVE, RELEASE, RENEW } from './redis-scripts.js';
import type { RedisLink } from './redis-link.js';

export interface RedisLocks {
  /** Joins the line (first call) and takes the lock if it is free and this token is first. */
  tryAcquire(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Leaves the line, for a waiter that gives up. */
  leave(key: string, token: string): Promise<void>;
  /** Extends the lease; false if the token no longer holds the lock. */
  renew(key: string, token: string, leaseMs: number): Promise<boolean>;
  /** Deletes the lock if the token holds it; false if it did not (expired, or someone else's). */
  release(key: string, token: string): Promise<boolean>;
}

export interface RedisLocksOptions {
  /** Prefix of every key. */
  prefix: string;
  /**
   * A waiter that has not polled for this long is taken for dead and dropped from the line, so a
   * crashed waiter cannot block the ones behind it. Must be well above the longest poll interval.
   */
  waiterTtlMs: number;
}

/** The keys of one lock; each kind has its own namespace, so no lock name can collide with another's line. */
export function lockKeys(prefix: string, key: string) {
  return { lock: `${prefix}lock:${key}`, line: `${prefix}line:${key}`, alive: `${prefix}alive:${key}`, ticket: `${prefix}ticket:${key}` };
}

export function createRedisLocks(link: RedisLink, options: RedisLocksOptions): RedisLocks {
  const keysOf = (key: string) => lockKeys(options.prefix, key);
  const ms = (value: number) => String(Math.max(1, Math.ceil(value)));
  return {
    async tryAcquire(key, token, leaseMs) {
      const k = keysOf(key);
      const reply = await link.eval('acquire lock', ACQUIRE, [k.lock, k.line, k.alive, k.ticket], [token, ms(leaseMs), ms(options.waiterTtlMs)]);
      return Number(reply) === 1;
    },
    async leave(key, token) {
      const k = keysOf(key);
      await link.eval('leave lock line', LEAVE, [k.line, k.alive], [token]);
    },
    async renew(key, token, leaseMs) {
      return Number(await link.eval('renew lock', RENEW, [keysOf(key).lock], [token, ms(leaseMs)])) === 1;
    },
    async release(key, token) {
      return Number(await link.eval('release lock', RELEASE, [keysOf(key).lock], [token])) === 1;
    },
  };
}
