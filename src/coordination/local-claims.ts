// Claims for one process over a Keyv store (sqlite file or memory): what src/slack/intake/dedupe.ts did.
// The in-process map is checked and written synchronously before any store round trip, so twin
// deliveries that race within milliseconds see each other; the store makes a claim outlive a
// restart (Slack's last retry comes minutes after the first delivery). Across processes this is
// get-then-set and not atomic, which is why replicas must use Redis.
import type Keyv from 'keyv';

export interface LocalClaimsOptions {
  store: Keyv;
  /** Key prefix inside the store. 'dedupe:' is what the bot used before, so old claims still count. */
  prefix?: string;
  now?: () => number;
}

export interface Claims {
  claim(ids: string[], ttlMs: number): Promise<boolean>;
}

export function createLocalClaims(options: LocalClaimsOptions): Claims {
  const { store } = options;
  const prefix = options.prefix ?? 'dedupe:';
  const now = options.now ?? Date.now;
  const local = new Map<string, number>(); // id -> expiry

  const prune = (at: number) => {
    for (const [id, expires] of local) if (expires <= at) local.delete(id);
  };

  return {
    async claim(ids, ttlMs) {
      const keys = uniqueIds(ids);
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

export function uniqueIds(ids: string[]): string[] {
  return [...new Set(ids.filter((id) => id.length > 0))];
}
