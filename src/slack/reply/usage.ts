// Token use per turn and per thread: kept in the store beside the history, logged with every turn,
// and shown to people as one quiet context line under the answer.
import type { types } from '@slack/bolt';
import type { Usage } from '../../agent/types.js';
import { zeroUsage } from '../../agent/usage.js';
import type { Store } from '../../store.js';

export interface UsageLedger {
  /** The thread's totals so far (zeros for a new thread). */
  get(key: string): Promise<Usage>;
  /** Adds a turn's usage to the thread's totals and returns the new totals. */
  add(key: string, turn: Usage): Promise<Usage>;
  reset(key: string): Promise<void>;
}

export function sumUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}

export function createUsageLedger(store: Store, ttlMs: number): UsageLedger {
  const id = (key: string) => `usage:${key}`;
  const get = async (key: string) => ((await store.get(id(key))) as Usage | undefined) ?? zeroUsage();
  return {
    get,
    async add(key, turn) {
      const total = sumUsage(await get(key), turn);
      await store.set(id(key), total, ttlMs);
      return total;
    },
    async reset(key) {
      await store.delete(id(key));
    },
  };
}

/** "1.2k tokens in (900 from cache, 300 written to it) · 150 out · this thread: 5.1k in · 600 out" */
export function usageLine(turn: Usage, thread: Usage): string {
  const input = (u: Usage) => u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  const cache: string[] = [];
  if (turn.cache_read_input_tokens > 0) cache.push(`${compact(turn.cache_read_input_tokens)} from cache`);
  if (turn.cache_creation_input_tokens > 0) cache.push(`${compact(turn.cache_creation_input_tokens)} written to it`);
  const turnPart = `${compact(input(turn))} tokens in${cache.length > 0 ? ` (${cache.join(', ')})` : ''} · ${compact(turn.output_tokens)} out`;
  return `${turnPart} · this thread: ${compact(input(thread))} in · ${compact(thread.output_tokens)} out`;
}

export function usageBlock(turn: Usage, thread: Usage): types.KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: usageLine(turn, thread) }] };
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 100_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}
