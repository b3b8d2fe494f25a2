// `npm run bench`: runs each scenario against the real bot (bench/lib/bench-bot.ts), prints one
// Markdown table with the machine it ran on, and writes the same to docs/benchmarks.md. Progress goes
// to stderr. A watchdog ends the run if anything hangs; a scenario that fails becomes a row saying so
// (and the exit code is 1), the others still run.
import path from 'node:path';
import { killTracked } from './lib/children.js';
import { describeMachine, describeRevision, load1 } from './lib/machine.js';
import { renderRun, writeDoc, type ScenarioRun } from './lib/report.js';
import type { Row, Scenario } from './lib/types.js';
import { ackBurst } from './scenarios/ack-burst.js';
import { ackFloor } from './scenarios/ack-floor.js';
import { firstWords } from './scenarios/first-words.js';
import { ownTime } from './scenarios/own-time.js';
import { requestSize } from './scenarios/request-size.js';
import { slackLatency } from './scenarios/slack-latency.js';
import { threadsAtOnce } from './scenarios/threads-at-once.js';

/** In table order. */
const SCENARIOS: Scenario[] = [ackBurst, ackFloor, firstWords, ownTime, slackLatency, threadsAtOnce, requestSize];

const WATCHDOG_MS = 240_000;
const DOC = path.resolve('docs/benchmarks.md');
const ANALYSIS = path.resolve('bench/analysis.md');

async function main(): Promise<number> {
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 1000} s; giving up\n`);
    killTracked();
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  // `npm run bench -- ack-burst` runs only the named scenarios and leaves docs/benchmarks.md alone.
  const only = process.argv.slice(2);
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`no scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const scenarios = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;

  const started = Date.now();
  const when = new Date();
  const loadStart = load1();
  const machine = describeMachine();
  const rows: Row[] = [];
  const ran: ScenarioRun[] = [];
  let failed = false;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  for (const scenario of scenarios) {
    const t0 = Date.now();
    const load = load1();
    log(`bench: ${scenario.id}…`);
    try {
      rows.push(...(await scenario.run({ log })));
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      log(`bench: ${scenario.id} failed: ${message}`);
      const notes = (message.split('\n')[0] ?? '').slice(0, 200);
      rows.push({ measurement: `${scenario.id} (failed)`, unit: 'ms', n: 0, p50: Number.NaN, max: Number.NaN, notes });
    }
    ran.push({ id: scenario.id, seconds: (Date.now() - t0) / 1000, load });
    log(`bench: ${scenario.id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const run = {
    when,
    seconds: (Date.now() - started) / 1000,
    loadStart,
    loadEnd: load1(),
    scenarios: ran,
    revision: describeRevision(),
    store: process.env.BENCH_STORE_URL ?? 'sqlite file (the harness default)',
  };
  process.stdout.write(`${renderRun(rows, machine, run)}\n`);
  if (only.length === 0) {
    writeDoc(DOC, rows, machine, run, SCENARIOS, ANALYSIS);
    log(`bench: wrote ${path.relative(process.cwd(), DOC)}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
