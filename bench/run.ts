// `npm run bench`: runs each scenario against the real bot (bench/lib/bench-bot.ts) and, where it
// makes sense for both, against the naive port (bench/naive/) too; prints the side-by-side table and
// the main Markdown table with the machine it ran on, and writes the same to docs/benchmarks.md.
// Progress goes to stderr. A watchdog ends the run if anything hangs; a scenario that fails becomes a
// row saying so (and the exit code is 1), the others still run.
import path from 'node:path';
import { buildProgram, type Build } from './lib/child-bot.js';
import { killTracked } from './lib/children.js';
import { describeMachine, describeRevision, load1 } from './lib/machine.js';
import type { Program, ProgramId } from './lib/programs.js';
import { renderRun, writeDoc, type Results, type ScenarioRun } from './lib/report.js';
import type { Scenario, ScenarioContext } from './lib/types.js';
import { ackBurst } from './scenarios/ack-burst.js';
import { ackFloor } from './scenarios/ack-floor.js';
import { firstWords } from './scenarios/first-words.js';
import { ownTime } from './scenarios/own-time.js';
import { requestSize } from './scenarios/request-size.js';
import { sideBySide } from './scenarios/side-by-side.js';
import { slackLatency } from './scenarios/slack-latency.js';
import { threadsAtOnce } from './scenarios/threads-at-once.js';

/** In table order. */
const SCENARIOS: Scenario[] = [ackBurst, ackFloor, firstWords, ownTime, slackLatency, threadsAtOnce, sideBySide, requestSize];

/** BENCH_WATCHDOG_S raises it for a busy machine. */
const WATCHDOG_S = Number(process.env.BENCH_WATCHDOG_S ?? 420);
if (!Number.isFinite(WATCHDOG_S) || WATCHDOG_S <= 0) throw new Error(`BENCH_WATCHDOG_S must be a number of seconds, not "${process.env.BENCH_WATCHDOG_S}"`);
const WATCHDOG_MS = WATCHDOG_S * 1000;
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
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: Results = { rows: [], comparisons: [], sections: [] };
  const builds = new Builds(log);
  let outcome: { ran: ScenarioRun[]; failed: boolean };
  let failedWithin = false;
  try {
    outcome = await runScenarios(scenarios, results, {
      log,
      failed: (message) => {
        failedWithin = true;
        log(`bench: failed: ${message}`);
      },
      compare: (comparison) => results.comparisons.push(comparison),
      section: (title, lines) => results.sections.push({ title, lines }),
      build: (program) => builds.get(program),
    });
  } finally {
    await builds.removeAll();
  }
  const { ran } = outcome;
  const failed = outcome.failed || failedWithin;
  const run = {
    when,
    seconds: (Date.now() - started) / 1000,
    loadStart,
    loadEnd: load1(),
    scenarios: ran,
    revision: describeRevision(),
    store: process.env.BENCH_STORE_URL ?? 'sqlite file (the harness default)',
  };
  process.stdout.write(`${renderRun(results, machine, run)}\n`);
  if (only.length === 0) {
    writeDoc(DOC, results, machine, run, SCENARIOS, ANALYSIS);
    log(`bench: wrote ${path.relative(process.cwd(), DOC)}`);
  }
  return failed ? 1 : 0;
}

/** Runs the scenarios one after another; a failed one becomes a row saying so. */
async function runScenarios(scenarios: Scenario[], results: Results, ctx: ScenarioContext): Promise<{ ran: ScenarioRun[]; failed: boolean }> {
  const ran: ScenarioRun[] = [];
  let failed = false;
  for (const scenario of scenarios) {
    const t0 = Date.now();
    const load = load1();
    ctx.log(`bench: ${scenario.id}…`);
    try {
      results.rows.push(...(await scenario.run(ctx)));
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`bench: ${scenario.id} failed: ${message}`);
      const notes = (message.split('\n')[0] ?? '').slice(0, 200);
      results.rows.push({ measurement: `${scenario.id} (failed)`, unit: 'ms', n: 0, p50: Number.NaN, max: Number.NaN, notes });
    }
    ran.push({ id: scenario.id, seconds: (Date.now() - t0) / 1000, load });
    ctx.log(`bench: ${scenario.id} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { ran, failed };
}

/** Each program built once a run, on first use; the builds are removed at the end. */
class Builds {
  private readonly builds = new Map<ProgramId, Promise<Build | undefined>>();
  constructor(private readonly log: (line: string) => void) {}

  get(program: Program): Promise<Build | undefined> {
    const build = this.builds.get(program.id) ?? buildProgram(program, this.log);
    this.builds.set(program.id, build);
    return build;
  }

  async removeAll(): Promise<void> {
    for (const build of this.builds.values()) (await build.catch(() => undefined))?.remove();
  }
}

process.exitCode = await main();
