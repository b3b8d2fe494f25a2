// The one table (Markdown), printed and written to docs/benchmarks.md with the date, the machine
// and how each row is measured.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { machineLine, type Machine } from './machine.js';
import type { Comparison, Row, Scenario } from './types.js';

/** What a run produced: the rows of the main table, the side-by-side figures, extra sections. */
export interface Results {
  rows: Row[];
  comparisons: Comparison[];
  sections: { title: string; lines: string[] }[];
}

function value(n: number | undefined, unit: Row['unit']): string {
  if (n === undefined) return '—';
  if (!Number.isFinite(n)) return 'n/a';
  const digits = (unit === 'ms' || unit === 'KB' || unit === 'MB') && Math.abs(n) < 10 ? 1 : 0;
  return `${unit === 'tokens' ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits)} ${unit}`;
}

function targetCells(row: Row): [string, string] {
  const targets = row.targets ?? [];
  if (targets.length === 0) return ['', ''];
  const met = (t: (typeof targets)[number]) => (t.met === undefined ? 'n/a' : t.met ? 'yes' : '**no**');
  return [targets.map((t) => t.text).join('; '), targets.map(met).join('; ')];
}

export function renderTable(rows: Row[]): string {
  const lines = [
    '| measurement | n | p50 | p99 | max | target | met | notes |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- | --- |',
  ];
  for (const row of rows) {
    const [target, met] = targetCells(row);
    const cells = [row.measurement, String(row.n), value(row.p50, row.unit), value(row.p99, row.unit), value(row.max, row.unit), target, met, row.notes ?? ''];
    lines.push(`| ${cells.map((c) => c.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}

function ratio(c: Comparison): string {
  if (!Number.isFinite(c.bot) || !Number.isFinite(c.naive) || c.naive === 0) return 'n/a';
  const r = c.bot / c.naive;
  return r >= 10 ? r.toFixed(0) : r.toFixed(r >= 1 ? 1 : 2);
}

/** The side-by-side table: both programs, measured in the same run, and their ratio. */
export function renderComparisons(comparisons: Comparison[]): string {
  const lines = [
    '| figure | this bot | naive port | bot / naive | bot ahead (issue 11) | notes |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const c of comparisons) {
    const ahead = !Number.isFinite(c.bot) || !Number.isFinite(c.naive) ? 'n/a' : c.bot < c.naive ? 'yes' : '**no**';
    const cells = [c.figure, value(c.bot, c.unit), value(c.naive, c.unit), ratio(c), ahead, c.notes ?? ''];
    lines.push(`| ${cells.map((cell) => cell.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One line per target: which rows met theirs and which did not. */
export function renderTargets(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const target of row.targets ?? []) {
      const verdict = target.met === undefined ? 'not measured' : target.met ? 'met' : '**missed**';
      const stat = /^(p50|p99|max)\b/.exec(target.text)?.[1] as 'p50' | 'p99' | 'max' | undefined;
      const measured = stat ? ` (measured ${value(row[stat], row.unit)})` : '';
      out.push(`- ${verdict}: ${row.measurement}: ${target.text}${measured}`);
    }
  }
  return out;
}

export interface ScenarioRun {
  id: string;
  seconds: number;
  /** 1-minute load average when the scenario started. */
  load: number;
}

export interface RunInfo {
  when: Date;
  seconds: number;
  /** 1-minute load average before and after the run: a busy machine makes every number worse. */
  loadStart: number;
  loadEnd: number;
  /** Each scenario's time and the load when it started. */
  scenarios: ScenarioRun[];
  /** The code measured (git commit). */
  revision: string;
  /** The bot's STORE_URL kind. */
  store: string;
}

function runLine(run: RunInfo): string {
  return (
    `${run.when.toISOString()}, code ${run.revision}, store ${run.store}, took ${run.seconds.toFixed(0)} s, ` +
    `1-min load average ${run.loadStart} at start and ${run.loadEnd} at end`
  );
}

function scenarioLine(run: RunInfo): string {
  return run.scenarios.map((s) => `${s.id} ${s.seconds.toFixed(0)} s (load ${s.load})`).join(', ');
}

export function renderRun(results: Results, machine: Machine, run: RunInfo): string {
  const sideBySide = results.comparisons.length > 0 ? [renderComparisons(results.comparisons), ''] : [];
  const sections = results.sections.flatMap((section) => ['', `## ${section.title}`, '', ...section.lines]);
  return [`Machine: ${machineLine(machine)}`, `Run: ${runLine(run)}`, `Scenarios: ${scenarioLine(run)}`, '', ...sideBySide, renderTable(results.rows), ...sections].join('\n');
}

/** The hand-written reading of the numbers (bench/analysis.md), included as it is. */
function analysis(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : ['(bench/analysis.md is missing.)'];
}

export function writeDoc(file: string, results: Results, machine: Machine, run: RunInfo, scenarios: Scenario[], analysisFile: string): void {
  const { rows, comparisons, sections } = results;
  const targets = renderTargets(rows);
  const doc = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts); the table below is the latest run. It drives the real',
    "bot against the project's fake Slack Web API and fake Anthropic API, all on 127.0.0.1: most rows",
    'in one process with the fakes (test/helpers/bot-harness.ts: Bolt over HTTP, real MCP servers, the',
    'sqlite store, logs at debug into memory), the rows that say "in its own process" and the side-by-side',
    'table with the bot (or the naive port, bench/naive/) compiled and started as `npm start` does, alone in a',
    'child process at LOG_LEVEL=warn. Numbers are',
    'medians and nearest-rank percentiles over repeated runs unless a row says otherwise, and they are',
    'measurements, not assertions: nothing here fails on a slow machine. The target column holds the',
    "issue's targets (and Slack's 3 s ack deadline); \"met\" says whether this run met each.",
    '',
    `Date: ${run.when.toISOString().slice(0, 10)} (run ${runLine(run)}).`,
    '',
    `Machine: ${machineLine(machine)}.`,
    '',
    `Scenarios in order, with their time and the 1-minute load average when each started: ${scenarioLine(run)}.`,
    '',
    '## The bot and the naive port, side by side',
    '',
    'The naive port (bench/naive/main.ts) is the MCP client tutorial\'s loop in a plain Bolt app: on app_mention its listener',
    'asks Claude with the same MCP tools, runs the tool calls, loops until Claude answers without one, and `say`s the',
    'answer; no store, no dedupe, no streaming. Both run in child processes of their own, built and started the same way,',
    'against the same fakes and MCP server, one after the other in this run. Every figure is better when lower; the ratio',
    'is bot / naive, so below 1 is the bot ahead. How each figure is measured: threads-at-once and side-by-side below.',
    '',
    comparisons.length > 0 ? renderComparisons(comparisons) : '(not measured in this run)',
    '',
    '## All measurements',
    '',
    renderTable(rows),
    '',
    '## Targets in this run',
    '',
    ...(targets.length > 0 ? targets : ['(none)']),
    '',
    ...sections.flatMap((section) => [`## ${section.title}`, '', ...section.lines, '']),
    ...analysis(analysisFile),
    '',
    '## How each row is measured',
    '',
    ...scenarios.flatMap((s) => [`- **${s.id}**: ${s.method}`]),
    '',
    '## Caveats',
    '',
    '- Rows without "bot in its own process": everything but the MCP servers (bench client, bot, both',
    "  fakes) shares one Node process. The rows marked \"client in the bot's thread\" share its event loop",
    '  too, so under load they time the client waiting for the loop as much as the bot acking; the',
    '  worker-thread rows do not. There the harness logs at debug level into memory (its logger is fixed',
    '  at debug); production defaults to info.',
    '- Rows with "bot in its own process" (threads-at-once): the bot is alone in its process, but the',
    '  fakes, the model tap and the client run in the bench process on the same cores, and their CPU',
    '  time is in the notes. Real Slack and Anthropic run elsewhere, so on a machine of its own the bot',
    '  would have the cores to itself; it would also meet Slack\'s rate limits, which the fake does not',
    '  enforce unless asked.',
    '- The ack rows from a worker thread send with node:http; the rows from the bot\'s thread use fetch,',
    '  as the test harness does. fetch alone costs a 40-request burst ~15 ms at p50 and ~40 ms at p99 here.',
    '- The fake Slack API answers at once unless a row says otherwise; real Slack adds tens to hundreds of',
    '  milliseconds per call, and the slack-latency rows show what that does.',
    '- The store is a fresh sqlite file in the temp folder unless BENCH_STORE_URL says otherwise; its',
    '  writes wait for the disk, so a busy disk shows in every row that writes.',
    '- The run line gives the 1-minute load average: on a shared or busy machine the tails (p99, max)',
    '  mostly measure the neighbours.',
    '- RSS and per-thread CPU come from /proc: the threads-at-once rows need Linux.',
    '- The naive port does less per turn by design (one Slack call, nothing stored, no streaming, no',
    '  dedupe, no queue): it is the floor a Bolt app with the same SDKs sets, not a rival product. The fake',
    '  model answers it without streaming (it asks without), after the same time as the streamed answer.',
    '',
    '## Running it',
    '',
    '`npm run bench` runs everything (about four minutes on a quiet 2-core machine) and rewrites this file.',
    '`npm run bench -- ack-burst own-time` runs only those scenarios and prints their rows without touching',
    'this file. `BENCH_STORE_URL=memory://` (or `redis://127.0.0.1:6379`) runs the in-process bot on another',
    'store. For the rows in a child process (threads-at-once, side-by-side): `BENCH_BOT_RUNNER=dist` starts',
    "the bot as `node dist/main.js` from the project's own build, `BENCH_BOT_RUNNER=tsx` runs src/main.ts",
    'through tsx (no build step, ~50 MB more RSS), the default `build` compiles src/ with tsc into a',
    'temporary folder first (bench/lib/programs.ts says so in one place). The bot\'s node gets the flags of',
    '`npm start` (package.json: the heap limits), as a user\'s does; `BENCH_BOT_NODE_FLAGS=',
    '"--max-old-space-size=96"` adds flags to them, and `BENCH_CPU_PROFILE=/tmp/prof` profiles',
    'each child from start to exit (slower; the numbers are then not comparable) and prints where its CPU',
    'time went when it stops. The watchdog ends a run after `BENCH_WATCHDOG_S` seconds (default 420);',
    'raise it on a busy machine.',
    '',
    '## Adding a row',
    '',
    'Write a scenario in bench/scenarios/ (a `Scenario`: id, method, `run()` returning rows; see',
    'bench/lib/types.ts, and `atMost()` there for a target), run the bot with `withBenchBot`',
    '(bench/lib/bench-bot.ts) or, to measure its memory or CPU, `startChildBot` (bench/lib/child-bot.ts),',
    'and add it to the list in bench/run.ts. To measure the naive port too, start it with',
    '`startChildBot({ program: NAIVE, ... })` (bench/lib/programs.ts: which Slack calls end its answer) and',
    'hand the pair to `ctx.compare()` for the side-by-side table. The model tap (bench/lib/model-tap.ts) already records, per',
    'Messages call, its arrival, first text delta, end, request size and prompt usage, tagged by thread.',
    'Update bench/analysis.md when a target changes from met to missed or back.',
    '',
  ].join('\n');
  writeFileSync(file, doc);
}
