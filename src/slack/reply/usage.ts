// Token use per turn and per thread, shown to people as one quiet context line under the answer. The
// thread's totals are kept with its conversation (agent/conversation.ts) and logged with every turn.
import type { types } from '@slack/bolt';
import type { Usage } from '../../agent/types.js';

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
