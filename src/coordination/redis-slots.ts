// settle and slots across replicas: one Lua script each, so the check and the write are one step
// in Redis (SETTLE: a GET and a SET that nothing can come between; slots: a sorted set per key
// whose scores are expiries, counted and added to in one script).
import type { RedisLink } from './redis-link.js';
import { FREE_SLOT, SETTLE, TAKE_SLOT } from './redis-scripts.js';
import type { Settled } from './types.js';

export interface RedisSlots {
  settle(key: string, value: string, ttlMs: number): Promise<Settled>;
  takeSlot(key: string, member: string, limit: number, ttlMs: number): Promise<boolean>;
  freeSlot(key: string, member: string): Promise<void>;
}

export function createRedisSlots(link: RedisLink, prefix: string): RedisSlots {
  const ms = (value: number) => String(Math.max(1, Math.ceil(value)));
  return {
    async settle(key, value, ttlMs) {
      const reply = await link.eval('settle', SETTLE, [`${prefix}settle:${key}`], [value, ms(ttlMs)]);
      const [won, standing] = Array.isArray(reply) ? (reply as unknown[]) : [];
      return { won: Number(won) === 1, value: String(standing) };
    },
    async takeSlot(key, member, limit, ttlMs) {
      return Number(await link.eval('take slot', TAKE_SLOT, [`${prefix}slots:${key}`], [member, String(limit), ms(ttlMs)])) === 1;
    },
    async freeSlot(key, member) {
      await link.eval('free slot', FREE_SLOT, [`${prefix}slots:${key}`], [member]);
    },
  };
}
