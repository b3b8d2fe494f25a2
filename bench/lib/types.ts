// What a scenario is and what it hands back: rows of the one table. A new measurement is a new
// scenario file under bench/scenarios/ added to the list in bench/run.ts.

export interface Row {
  /** What was measured, as the table's first column says it. */
  measurement: string;
  unit: 'ms' | 'MB' | 'KB' | 'bytes';
  n: number;
  p50: number;
  /** Left out (shown as —) when too few samples make it the same as max. */
  p99?: number;
  max: number;
  /** e.g. "<= 600 ms". */
  target?: string;
  notes?: string;
}

export interface ScenarioContext {
  /** Progress, on stderr (stdout is the table). */
  log(line: string): void;
}

export interface Scenario {
  id: string;
  /** How it is measured, one short paragraph for docs/benchmarks.md. */
  method: string;
  run(ctx: ScenarioContext): Promise<Row[]>;
}
