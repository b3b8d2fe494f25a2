// What a turn cost: its token counts times the model's list prices. Prices are US dollars per million
// tokens, as Anthropic publishes them; spend is kept in whole micro-dollars (millionths of a dollar),
// so sums over many turns and replicas add up exactly (no float drift in the store).
import type { Usage } from '../agent/types.js';

/** US dollars per million tokens. `cacheWrite` is the 5-minute cache write, the one the bot uses. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export type PriceTable = ReadonlyMap<string, ModelPrice>;

const price = (input: number, cacheWrite: number, cacheRead: number, output: number): ModelPrice => ({ input, output, cacheWrite, cacheRead });

/**
 * List prices for every model id the project knows (test/fakes/anthropic-models.ts), looked up on
 * 2026-11-30. Sources: Anthropic's pricing page, platform.claude.com/docs/en/about-claude/pricing
 * ("Model pricing": base input, 5m cache writes, cache hits, output), for Fable 5.1 / Mythos 5.1,
 * Fable 5 / Mythos 5, Opus 5, 4.8, 4.7, 4.6, 4.5, Sonnet 4.6, 4.5 and Haiku 4.5; the model pages
 * platform.claude.com/docs/en/models/sonnet-5-5/overview and .../opus-5/whats-new-opus-5 (Opus 5.5
 * $4 / $20, Sonnet 5 and 5.5 $2 / $10). Newer than the copies of those pages we could read, and taken
 * from price trackers that cite the pricing page (kurofune/claudit v1.8.2 and v1.9.2,
 * TheKrush/PromptFuel v1.0.23, archid21/rightsize v0.10.2): Opus 5.5's cache rates ($5 write, $0.20
 * hit), Sonnet 5.5's cache hits cut to $0.10 on 2026-10-07, Haiku 5.5 (2026-10-07) and Fable 5.2
 * (2026-11-09, $8 / $40, $10 write, $0.20 hit). Mythos 5.2 is priced as Fable 5.2: each Mythos model
 * "shares the specifications and pricing" of its Fable (platform.claude.com/docs/en/models/fable-5/overview).
 * PRICES_FILE corrects any of them without a release (README "Spend").
 *
 * Haiku 5.5 has two bands by prompt length; this is the band up to 100,000 prompt tokens (a turn's
 * totals do not say how long each call's prompt was), so longer prompts are counted low (README).
 * claude-mythos-preview has no public list price: it is not here, and counts as unpriced.
 */
export const DEFAULT_PRICES: PriceTable = new Map<string, ModelPrice>([
  ['claude-fable-5-2', price(8, 10, 0.2, 40)],
  ['claude-mythos-5-2', price(8, 10, 0.2, 40)],
  ['claude-fable-5-1', price(10, 12.5, 0.25, 50)],
  ['claude-mythos-5-1', price(10, 12.5, 0.25, 50)],
  ['claude-fable-5', price(10, 12.5, 1, 50)],
  ['claude-mythos-5', price(10, 12.5, 1, 50)],
  ['claude-opus-5-5', price(4, 5, 0.2, 20)],
  ['claude-opus-5', price(5, 6.25, 0.5, 25)],
  ['claude-opus-4-8', price(5, 6.25, 0.5, 25)],
  ['claude-opus-4-7', price(5, 6.25, 0.5, 25)],
  ['claude-opus-4-6', price(5, 6.25, 0.5, 25)],
  ['claude-opus-4-5', price(5, 6.25, 0.5, 25)],
  ['claude-opus-4-5-20251101', price(5, 6.25, 0.5, 25)],
  ['claude-sonnet-5-5', price(2, 2.5, 0.1, 10)],
  ['claude-sonnet-5', price(2, 2.5, 0.2, 10)],
  ['claude-sonnet-4-6', price(3, 3.75, 0.3, 15)],
  ['claude-sonnet-4-5', price(3, 3.75, 0.3, 15)],
  ['claude-sonnet-4-5-20250929', price(3, 3.75, 0.3, 15)],
  ['claude-haiku-5-5', price(0.1, 0.125, 0.01, 0.5)],
  ['claude-haiku-4-5', price(1, 1.25, 0.1, 5)],
  ['claude-haiku-4-5-20251001', price(1, 1.25, 0.1, 5)],
]);

/** The defaults with a file's entries over them (a file adds models or replaces their prices). */
export function withOverrides(defaults: PriceTable, overrides: ReadonlyMap<string, ModelPrice>): PriceTable {
  return new Map([...defaults, ...overrides]);
}

/** A turn's cost in micro-dollars, rounded to the nearest one. */
export function costMicroUsd(usage: Usage, price: ModelPrice): number {
  // $/MTok * tokens = micro-dollars: a million tokens at $1 is 1,000,000 micro-dollars.
  const exact =
    usage.input_tokens * price.input +
    usage.output_tokens * price.output +
    usage.cache_creation_input_tokens * price.cacheWrite +
    usage.cache_read_input_tokens * price.cacheRead;
  return Math.round(exact);
}

/** "$0.42", "$12.30", "under $0.01" for a cost above zero that rounds to nothing, "$0.00". */
export function formatUsd(microUsd: number): string {
  if (microUsd > 0 && microUsd < 5_000) return 'under $0.01';
  return `$${(microUsd / 1_000_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
