// The coordinator for sqlite:// and memory:// stores: one process, so claims and locks live in it
// (claims also in the store, to outlive a restart). Running two replicas on these stores is not
// supported: neither store is shared between hosts in a way that gives atomic claims.
import type Keyv from 'keyv';
import { CoordinatorClosedError } from './errors.js';
import { createLocalClaims } from './local-claims.js';
import { KeyedMutex } from './local-locks.js';
import { createLocalSlots } from './local-slots.js';
import { DEFAULT_WAIT_MS, type Coordinator } from './types.js';

export interface LocalCoordinatorOptions {
  store: Keyv;
  /** Prefix of claim keys in the store. */
  claimPrefix?: string;
  waitMs?: number;
  now?: () => number;
}

export function createLocalCoordinator(options: LocalCoordinatorOptions): Coordinator {
  const claims = createLocalClaims({ store: options.store, prefix: options.claimPrefix, now: options.now });
  const mutex = new KeyedMutex();
  const slots = createLocalSlots(options.now);
  // Nothing takes a lock away from a holder in one process: its signal never aborts.
  const neverLost = new AbortController().signal;
  let closed = false;

  return {
    claim(ids, ttlMs) {
      if (closed) return Promise.reject(new CoordinatorClosedError());
      return claims.claim(ids, ttlMs);
    },
    async withLock(key, fn, lockOptions = {}) {
      if (closed) throw new CoordinatorClosedError();
      const release = await mutex.acquire(key, lockOptions.waitMs ?? options.waitMs ?? DEFAULT_WAIT_MS);
      try {
        return await fn(neverLost);
      } finally {
        release();
      }
    },
    settle(key, value, ttlMs) {
      if (closed) return Promise.reject(new CoordinatorClosedError());
      return Promise.resolve(slots.settle(key, value, ttlMs));
    },
    takeSlot(key, member, limit, ttlMs) {
      if (closed) return Promise.reject(new CoordinatorClosedError());
      return Promise.resolve(slots.takeSlot(key, member, limit, ttlMs));
    },
    freeSlot(key, member) {
      slots.freeSlot(key, member);
      return Promise.resolve();
    },
    close() {
      closed = true;
      mutex.refuseAll();
      return Promise.resolve();
    },
  };
}
