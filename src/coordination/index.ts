// Coordination between replicas of the bot: which one answers a message (claim) and whose turn it
// is in a thread (withLock). The store URL decides: redis:// shares claims and locks between
// processes; sqlite:// and memory:// keep them in this process (claims also in the store).
import { hostname } from 'node:os';
import type Keyv from 'keyv';
import type { Logger } from '../log.js';
import { parseStoreUrl } from '../store.js';
import { createLocalCoordinator } from './local.js';
import { connectRedis } from './redis-link.js';
import { createRedisCoordinator } from './redis.js';
import type { Coordinator } from './types.js';

export { CoordinationUnavailableError, CoordinatorClosedError, LockLostError, LockTimeoutError } from './errors.js';
export { DEFAULT_LEASE_MS, DEFAULT_WAIT_MS, type Coordinator, type LockOptions, type Settled } from './types.js';

export const DEFAULT_COORDINATION_PREFIX = 'bot:coordination:';

export interface CoordinatorOptions {
  /** The history store; sqlite:// and memory:// keep claims in it so they outlive a restart. */
  store: Keyv;
  logger?: Logger;
  /** Prefix of every Redis key (default 'bot:coordination:'); tests use their own. */
  prefix?: string;
  /** Default lease of a lock (30 s): how long a dead holder keeps others waiting. */
  leaseMs?: number;
  /** Default wait for a lock (15 min): a turn can be long. */
  waitMs?: number;
}

/** Connects (redis://: rejects with CoordinationUnavailableError if Redis cannot be reached). */
export async function createCoordinator(storeUrl: string, options: CoordinatorOptions): Promise<Coordinator> {
  const parsed = parseStoreUrl(storeUrl);
  if (parsed.kind !== 'redis') return createLocalCoordinator({ store: options.store, waitMs: options.waitMs });
  const logger = options.logger;
  const link = await connectRedis(parsed.url, { logger });
  return createRedisCoordinator({
    link,
    prefix: options.prefix ?? DEFAULT_COORDINATION_PREFIX,
    owner: `${hostname()}:${process.pid}`,
    logger,
    leaseMs: options.leaseMs,
    waitMs: options.waitMs,
  });
}
