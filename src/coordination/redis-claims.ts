// Claims across processes: one script SETs every id with NX and a TTL, atomically. A claim wins
// only if all its ids were new. Two deliveries of one message that share any id cannot both win,
// because that shared key is set by exactly one of them (the app_mention/message twins share
// msg:<channel>:<ts>; a retry shares everything).
import { uniqueIds, type Claims } from './local-claims.js';
import type { RedisLink } from './redis-link.js';
import { CLAIM } from './redis-scripts.js';

export function createRedisClaims(link: RedisLink, options: { prefix: string; owner: string }): Claims {
  return {
    async claim(ids, ttlMs) {
      const keys = uniqueIds(ids).map((id) => `${options.prefix}claim:${id}`);
      if (keys.length === 0) return true; // nothing to recognise it by: answer it
      const fresh = await link.eval('claim', CLAIM, keys, [options.owner, String(Math.max(1, Math.ceil(ttlMs)))]);
      return Number(fresh) === keys.length;
    },
  };
}
