// Answer each Slack message once. Slack redelivers an event whose ack was late (same event_id, up to
// about 5 minutes after the first try), and a mention in a channel arrives twice, as app_mention and
// as message (different event_ids, same channel + ts). The caller claims every id an event has; the
// first claim of any of them wins and every later one is a duplicate.
//
// Claims live in the Keyv store so a restart between a delivery and its retry still dedupes. The
// TTL must outlast Slack's last retry: a 5-minute record can expire just before it arrives, so the
// default is an hour. Within one process a claim is atomic (a synchronous in-memory check comes
// before the store is read); across processes it is get-then-set, which a Redis SET NX will replace
// behind the same `claim` signature.
import type Keyv from 'keyv';

export interface Dedupe {
  /** True for the first claim of these ids; false if any of them was claimed before. */
  claim(ids: string[]): Promise<boolean>;
}

export interface DedupeOptions {
  store: Keyv;
  /** How long a claim is remembered. Default one hour (Slack retries for ~5 minutes). */
  ttlMs?: number;
  /** Key prefix inside the store, to keep claims apart from histories. */
  prefix?: string;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_DEDUPE_TTL_MS = 60 * 60 * 1000;

export function createDedupe(options: DedupeOptions): Dedupe {
  const { store } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const prefix = options.prefix ?? 'dedupe:';
  const now = options.now ?? Date.now;
  // Claims this process made or saw, until their TTL: twin events arrive within milliseconds of
  // each other, faster than a store round trip.
  const local = new Map<string, number>();

  const prune = (at: number) => {
    for (const [id, expires] of local) if (expires <= at) local.delete(id);
  };

  return {
    async claim(ids: string[]): Promise<boolean> {
      const keys = [...new Set(ids.filter((id) => id.length > 0))];
      if (keys.length === 0) return true; // nothing to recognise it by: answer it
      const at = now();
      prune(at);
      const seenHere = keys.some((id) => local.has(id));
      for (const id of keys) local.set(id, at + ttlMs);
      if (seenHere) {
        // Remember every id of the duplicate too, so a third delivery under a new id is caught.
        await Promise.all(keys.map((id) => store.set(prefix + id, at, ttlMs)));
        return false;
      }
      const found = await Promise.all(keys.map((id) => store.get(prefix + id)));
      await Promise.all(keys.map((id) => store.set(prefix + id, at, ttlMs)));
      return found.every((value) => value === undefined);
    },
  };
}
