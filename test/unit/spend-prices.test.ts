// Spend: a turn's tokens times its model's list prices, the default table against the models the
// project knows, and PRICES_FILE: prices over the defaults, and every mistake told as file, key and fix.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { costMicroUsd, DEFAULT_PRICES, formatUsd, loadPrices, parsePricesFile } from '../../src/spend/index.js';
import { KNOWN_MODELS } from '../fakes/anthropic-models.js';

const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: cacheRead,
  cache_creation_input_tokens: cacheWrite,
});

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

describe('spend: prices', () => {
  it('prices each kind of token at its own rate', () => {
    // Sonnet 5.5: $2 in, $10 out, $2.50 cache write, $0.10 cache read per million tokens.
    const sonnet = DEFAULT_PRICES.get('claude-sonnet-5-5');
    assert.ok(sonnet);
    assert.equal(costMicroUsd(usage(1_000_000, 0), sonnet), 2_000_000);
    assert.equal(costMicroUsd(usage(0, 1_000_000), sonnet), 10_000_000);
    assert.equal(costMicroUsd(usage(0, 0, 1_000_000, 0), sonnet), 100_000);
    assert.equal(costMicroUsd(usage(0, 0, 0, 1_000_000), sonnet), 2_500_000);
    // A typical turn: 1,200 in, 300 out, 9,000 from cache, 800 written to it = $0.00969.
    assert.equal(costMicroUsd(usage(1200, 300, 9000, 800), sonnet), 2400 + 3000 + 900 + 2000);
  });

  it('has a price for every model the project knows but Mythos Preview, which has no public one', () => {
    const unpriced = KNOWN_MODELS.filter((model) => !DEFAULT_PRICES.has(model));
    assert.deepEqual(unpriced, ['claude-mythos-preview']);
  });

  it('shows dollars with cents, and a small cost as less than a cent', () => {
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(1_234), 'under $0.01');
    assert.equal(formatUsd(9_690), '$0.01');
    assert.equal(formatUsd(12_345_678_900), '$12,345.68');
  });
});

describe('spend: PRICES_FILE', () => {
  it('adds a model and replaces a price, keeping the other defaults', () => {
    const table = parsePricesFile(
      JSON.stringify({ 'my-gateway-model': { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 }, 'claude-sonnet-5-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 } }),
      'prices.json',
    );
    assert.deepEqual(table.get('my-gateway-model'), { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 });
    assert.equal(table.get('claude-sonnet-5-5')?.input, 3);
    assert.deepEqual(table.get('claude-opus-5-5'), DEFAULT_PRICES.get('claude-opus-5-5'));
  });

  it('names the file, the key and the fix for each mistake, all at once', () => {
    const found = problems(() =>
      parsePricesFile(
        JSON.stringify({
          'claude-a': { input: '2', output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
          'claude-b': { input: 2, output: -1, cacheWrite: 2.5, cacheRead: 0.1 },
          'claude-c': { input: 2, output: 10, cacheRead: 0.1 },
          'claude-d': { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1, cacheWrite1h: 4 },
          'claude-e': 2,
        }),
        'prices.json',
      ),
    );
    assert.deepEqual(found, [
      'prices.json: claude-a.input must be the input price in US dollars per million tokens, a number like 2.5',
      'prices.json: claude-b.output must be 0 or more (US dollars per million tokens)',
      'prices.json: claude-c.cacheWrite is missing; give all four prices (input, output, cacheWrite, cacheRead) in US dollars per million tokens',
      'prices.json: claude-d.cacheWrite1h is not a price key; the keys are input, output, cacheWrite, cacheRead',
      'prices.json: claude-e must be an object of four prices, e.g. {"input": 2, "output": 10, "cacheWrite": 2.5, "cacheRead": 0.1}',
    ]);
  });

  it('says when the file is not JSON, not an object, or not there', () => {
    assert.match(problems(() => parsePricesFile('{ nope', 'prices.json'))[0] ?? '', /^prices\.json: is not valid JSON .*; fix the syntax/);
    assert.match(problems(() => parsePricesFile('[]', 'prices.json'))[0] ?? '', /^prices\.json: must hold one JSON object keyed by model id/);
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'bot-prices-')), 'nope.json');
    assert.match(problems(() => loadPrices({ PRICES_FILE: missing }))[0] ?? '', /does not exist; create it with .*or unset PRICES_FILE/);
  });

  it('reads the file PRICES_FILE names, and uses the defaults without it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bot-prices-')), 'prices.json');
    writeFileSync(file, JSON.stringify({ 'claude-haiku-5-5': { input: 0.5, output: 2.5, cacheWrite: 0.625, cacheRead: 0.05 } }));
    assert.equal(loadPrices({ PRICES_FILE: file }).get('claude-haiku-5-5')?.output, 2.5);
    assert.equal(loadPrices({}), DEFAULT_PRICES);
  });
});
