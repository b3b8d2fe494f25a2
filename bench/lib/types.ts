// What a scenario is and what it hands back: rows of the one table, and side-by-side figures of the
// bot and the naive port. A new measurement is a new scenario file under bench/scenarios/ added to
// the list in bench/run.ts.
import type { Build } from './child-bot.js';
import type { Program } from './programs.js';

/**
 * A goal for one row, as the table shows it ("p99 <= 10 ms (issue)") with whether this run met it.
 * `met` is undefined when the run produced no number to judge (a failed scenario).
 */
export interface Target {
  text: string;
  met: boolean | undefined;
}

export interface Row {
  /** What was measured, as the table's first column says it. */
  measurement: string;
  unit: 'ms' | 'MB' | 'KB' | 'bytes' | 'tokens';
  n: number;
  p50: number;
  /** Left out (shown as —) when too few samples make it the same as max. */
  p99?: number;
  max: number;
  /** Each goal of the row; the table shows them next to the numbers, and whether each was met. */
  targets?: Target[];
  notes?: string;
}

/** Which number of a row a target is about. */
export type Stat = 'p50' | 'p99' | 'max';

/**
 * "stat <= limit unit (source)", met when the row's `stat` is at most `limit` (in the row's unit).
 * For a p99 the row must carry one; a NaN (nothing measured) leaves `met` undefined.
 */
export function atMost(row: Pick<Row, 'p50' | 'p99' | 'max' | 'unit'>, stat: Stat, limit: number, source?: string): Target {
  const value = row[stat];
  const text = `${stat} <= ${limit.toLocaleString('en-US')} ${row.unit}${source ? ` (${source})` : ''}`;
  return { text, met: value === undefined || !Number.isFinite(value) ? undefined : value <= limit };
}

/**
 * One figure measured on both the bot and the naive port in the same run, for the side-by-side
 * table. Every figure is better when lower; the table shows the ratio bot / naive.
 */
export interface Comparison {
  figure: string;
  unit: Row['unit'];
  bot: number;
  naive: number;
  notes?: string;
}

export interface ScenarioContext {
  /** Progress, on stderr (stdout is the table). */
  log: (line: string) => void;
  /** Adds a row to the side-by-side table. */
  compare(comparison: Comparison): void;
  /** Records a failure the scenario got past: the run exits 1, and the scenario's other rows stay. */
  failed(message: string): void;
  /** Adds a section (Markdown lines) to docs/benchmarks.md, after the tables. */
  section(title: string, lines: string[]): void;
  /** The program built as its runner says (once a run; undefined: run it through tsx). */
  build(program: Program): Promise<Build | undefined>;
}

export interface Scenario {
  id: string;
  /** How it is measured, one short paragraph for docs/benchmarks.md. */
  method: string;
  run(ctx: ScenarioContext): Promise<Row[]>;
}
