// The history store: one Keyv from STORE_URL. sqlite://path (default; the file and its folder are
// created on first use, readable by the bot's user only), redis://host:port, memory://. Callers namespace their keys.
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { ConfigError } from './errors.js';
import { ensurePrivateFile } from './private-file.js';
import { deserializeFromStore, serializeForStore } from './store-serialize.js';

export type Store = Keyv;

/** Keyv's text format, written and read faster (store-serialize.ts); memory:// keeps values as they are. */
const FORMAT = { serialize: serializeForStore, deserialize: deserializeFromStore };

/**
 * Wraps the Keyv store adapter before Keyv gets it (observe/store-ops.ts: a span and a count per
 * operation); `system` is the OpenTelemetry db.system.name of the adapter, undefined for memory://.
 */
export type ObserveAdapter = <A extends object>(adapter: A, system: 'sqlite' | 'redis' | undefined) => A;

export const DEFAULT_STORE_URL = 'sqlite://data/bot.sqlite';

export function parseStoreUrl(url: string): { kind: 'sqlite'; file: string } | { kind: 'redis'; url: string } | { kind: 'memory' } {
  if (url === 'memory://' || url === 'memory:') return { kind: 'memory' };
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    if (!file) throw new ConfigError([`STORE_URL: "${url}" names no file; use sqlite://path/to/file.sqlite`]);
    return { kind: 'sqlite', file };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return { kind: 'redis', url };
  throw new ConfigError([
    `STORE_URL: "${url}" is not a store this bot knows; use sqlite://path, redis://host:port or memory://`,
  ]);
}

/** Opens the store. For sqlite the folder is created; for redis the connection is checked once. */
export async function openStore(url: string, namespace = 'bot', observe?: ObserveAdapter): Promise<Store> {
  const parsed = parseStoreUrl(url);
  const adapter = observe ?? (<A>(given: A) => given);
  // throwOnErrors everywhere: a store that cannot be read must fail the turn, never look empty.
  // Keyv's default (emit and return undefined) would answer without the history and then save a
  // shortened one over it.
  // memory://: Keyv's own default, a Map (given here only so it can be observed).
  if (parsed.kind === 'memory') return new Keyv({ store: adapter(new Map(), undefined), namespace, throwOnErrors: true });
  if (parsed.kind === 'sqlite') {
    ensurePrivateFile(parsed.file);
    const sqlite = new KeyvSqlite({ uri: `sqlite://${parsed.file}`, busyTimeout: 5000 });
    // Write-ahead logging with NORMAL sync: a write no longer waits for the disk (0.05 ms instead of
    // 1-10 ms here), and a crash can lose at most the last transactions, never corrupt the file.
    await sqlite.query('PRAGMA journal_mode=WAL');
    await sqlite.query('PRAGMA synchronous=NORMAL');
    const keyv = new Keyv({ store: adapter(sqlite, 'sqlite'), namespace, throwOnErrors: true, ...FORMAT });
    await keyv.get('__open__'); // opens (and creates) the file now, not on the first message
    return keyv;
  }
  const redis = new KeyvRedis(
    {
      url: parsed.url,
      // While Redis is away, commands fail at once instead of waiting in a queue; the client keeps
      // reconnecting in the background, so the next turn after Redis is back works.
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    },
    // connectionTimeout: without it, a Redis that is down at start makes the first command wait
    // forever (the reconnect strategy never gives up), so the bot would hang instead of saying so.
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5000 },
  );
  const keyv = new Keyv({ store: adapter(redis, 'redis'), namespace, useKeyPrefix: false, throwOnErrors: true, ...FORMAT });
  await keyv.get('__open__');
  return keyv;
}
