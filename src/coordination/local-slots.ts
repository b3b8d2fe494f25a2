// settle and slots for one process (sqlite:// and memory://): plain maps, read and written
// synchronously, so two callers in this process cannot interleave between the check and the write.
// Kept in memory only: a restart ends every turn and every waiting click, so nothing here needs to
// outlive the process (a person's per-minute count starts again after a restart: an approximation).
import type { Settled } from './types.js';

export interface LocalSlots {
  settle(key: string, value: string, ttlMs: number): Settled;
  takeSlot(key: string, member: string, limit: number, ttlMs: number): boolean;
  freeSlot(key: string, member: string): void;
}

export function createLocalSlots(now: () => number = Date.now): LocalSlots {
  const settled = new Map<string, { value: string; expires: number }>();
  const slots = new Map<string, Map<string, number>>(); // key -> member -> expiry

  const liveSlots = (key: string, at: number): Map<string, number> => {
    const members = slots.get(key) ?? new Map<string, number>();
    for (const [member, expires] of members) if (expires <= at) members.delete(member);
    slots.set(key, members);
    return members;
  };

  return {
    settle(key, value, ttlMs) {
      const at = now();
      for (const [k, entry] of settled) if (entry.expires <= at) settled.delete(k);
      const standing = settled.get(key);
      if (standing) return { won: false, value: standing.value };
      settled.set(key, { value, expires: at + ttlMs });
      return { won: true, value };
    },
    takeSlot(key, member, limit, ttlMs) {
      const at = now();
      const members = liveSlots(key, at);
      if (!members.has(member) && members.size >= limit) return false;
      members.set(member, at + ttlMs);
      return true;
    },
    freeSlot(key, member) {
      const members = slots.get(key);
      members?.delete(member);
      if (members?.size === 0) slots.delete(key);
    },
  };
}
