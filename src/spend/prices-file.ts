// PRICES_FILE: list prices that replace or add to the defaults (prices.ts), read once at start and
// checked with the other settings. One JSON object keyed by model id, each entry in US dollars per
// million tokens, all four keys required (a price left out would silently count as free):
//
// { "claude-sonnet-5-5": { "input": 2, "output": 10, "cacheWrite": 2.5, "cacheRead": 0.1 } }
//
// Every problem is one line naming the file, the key and the fix, as for the policy file.
import { z } from 'zod';
import { keyPath, parseJsonFile, readConfigFile } from '../config-file.js';
import { ConfigError } from '../errors.js';
import { isPlainObject } from '../plain-object.js';
import { DEFAULT_PRICES, withOverrides, type ModelPrice, type PriceTable } from './prices.js';

const SHAPE_HINT = '{"claude-sonnet-5-5": {"input": 2, "output": 10, "cacheWrite": 2.5, "cacheRead": 0.1}}';
const KEYS = 'input, output, cacheWrite, cacheRead';

const dollars = (what: string) =>
  z
    .number({ error: `must be the ${what} price in US dollars per million tokens, a number like 2.5` })
    .nonnegative({ error: `must be 0 or more (US dollars per million tokens)` })
    .max(10_000, { error: 'must be at most 10000 US dollars per million tokens; list prices are in dollars per million tokens, not per token' });

const entry = z.strictObject(
  { input: dollars('input'), output: dollars('output'), cacheWrite: dollars('5-minute cache write'), cacheRead: dollars('cache read') },
  {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `is not a price key; the keys are ${KEYS}`;
      if (issue.code === 'invalid_type') return `must be an object of four prices, e.g. {"input": 2, "output": 10, "cacheWrite": 2.5, "cacheRead": 0.1}`;
      return undefined;
    },
  },
);

const pricesSchema = z.record(z.string().min(1, { error: 'is an empty model id; use the id the API takes, e.g. "claude-sonnet-5-5"' }), entry);

/** The defaults, with the file's prices over them. Throws ConfigError listing every problem. */
export function parsePricesFile(text: string, file: string): PriceTable {
  const data = parseJsonFile(text, file, SHAPE_HINT);
  if (!isPlainObject(data)) throw new ConfigError([`${file}: must hold one JSON object keyed by model id, like ${SHAPE_HINT}`]);
  const parsed = pricesSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.flatMap((issue) => linesOf(file, issue, data)));
  return withOverrides(DEFAULT_PRICES, new Map<string, ModelPrice>(Object.entries(parsed.data)));
}

/** PRICES_FILE if set (it must exist), else the defaults. */
export function loadPrices(env: Readonly<Record<string, string | undefined>>): PriceTable {
  const file = env.PRICES_FILE?.trim();
  if (!file) return DEFAULT_PRICES;
  const text = readConfigFile(file, `create it with ${SHAPE_HINT}, or unset PRICES_FILE to use the built-in list prices`);
  return parsePricesFile(text, file);
}

function linesOf(file: string, issue: z.core.$ZodIssue, data: Record<string, unknown>): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${file}: ${keyPath([...issue.path, key])} ${issue.message}`);
  // A price left out gets zod's wrong-type message; say it is missing instead.
  const [model, key] = issue.path;
  const entryData = typeof model === 'string' ? data[model] : undefined;
  if (issue.code === 'invalid_type' && typeof key === 'string' && isPlainObject(entryData) && !Object.hasOwn(entryData, key)) {
    return [`${file}: ${keyPath(issue.path)} is missing; give all four prices (${KEYS}) in US dollars per million tokens`];
  }
  const where = issue.path.length === 0 ? '' : ` ${keyPath(issue.path)}`;
  return [`${file}:${where} ${issue.message}`];
}
