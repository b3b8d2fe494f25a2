// Token totals over the calls of one turn (the API reports per call; cache counters may be null).
import type Anthropic from '@anthropic-ai/sdk';
import type { Usage } from './types.js';

export function zeroUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
}

export function addUsage(total: Usage, call: Anthropic.Usage): void {
  total.input_tokens += call.input_tokens ?? 0;
  total.output_tokens += call.output_tokens ?? 0;
  total.cache_read_input_tokens += call.cache_read_input_tokens ?? 0;
  total.cache_creation_input_tokens += call.cache_creation_input_tokens ?? 0;
}

/** a + b, as a new total (the thread's token use after a turn). */
export function sumUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}
