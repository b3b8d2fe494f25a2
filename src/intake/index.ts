// The intake room: the durable inbox between Slack's ack and the turns, one interface
// (types.ts) with its sqlite, Redis and memory implementations side by side, and the workers that
// take from it. The store URL decides which inbox: the same place the history lives.
import { hostname } from 'node:os';
import { connectRedis } from '../coordination/redis-link.js';
import type { Logger } from '../log.js';
import { parseStoreUrl } from '../store.js';
import { createMemoryInbox } from './memory.js';
import { createRedisInbox } from './redis.js';
import { withLegacyEngaged, type LegacyMarks } from './legacy-engaged.js';
import { createSqliteInbox } from './sqlite.js';
import type { Inbox, InboxOptions } from './types.js';

export { legacyEngagedKey, type LegacyMarks } from './legacy-engaged.js';
export { createAcksInFlight, type AcksInFlight } from './acks-in-flight.js';
export { createWorkers, type Outcome, type Workers } from './workers.js';
export { questionId, type AcceptResult, type Inbox, type QueuedQuestion, type TakenQuestion } from './types.js';

export interface OpenInboxOptions extends InboxOptions {
  /** How long a dead replica keeps a thread it was answering (redis://, LOCK_LEASE_MS). */
  leaseMs: number;
  logger?: Logger;
  /** Prefix of every Redis key; tests use their own. */
  prefix?: string;
  /** The history store, where threads engaged before the inbox existed are marked (legacy-engaged.ts). */
  legacyMarks?: LegacyMarks;
}

export async function openInbox(storeUrl: string, options: OpenInboxOptions): Promise<Inbox> {
  const inbox = await openStoreInbox(storeUrl, options);
  return options.legacyMarks ? withLegacyEngaged(inbox, options.legacyMarks) : inbox;
}

async function openStoreInbox(storeUrl: string, options: OpenInboxOptions): Promise<Inbox> {
  const parsed = parseStoreUrl(storeUrl);
  if (parsed.kind === 'memory') return createMemoryInbox(options);
  if (parsed.kind === 'sqlite') return createSqliteInbox(parsed.file, options);
  const link = await connectRedis(parsed.url, { logger: options.logger });
  return createRedisInbox({ ...options, link, owner: `${hostname()}:${process.pid}` });
}
