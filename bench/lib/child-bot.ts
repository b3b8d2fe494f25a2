// A program in a process of its own: the bot as `npm start` runs it, or the naive port
// (bench/lib/programs.ts says how each is built and started; by default src/ is compiled by tsc
// (tsconfig.build.json) into a temporary folder, then `node <folder>/main.js`). The fake Slack Web
// API, the fake Anthropic API and the model tap stay in the bench process. So the program's memory and
// CPU are its own: RSS comes from /proc/<pid>/status (VmRSS now, VmHWM the peak since start), CPU per
// thread from /proc/<pid>/task, and a probe loaded into it with --import (PROBE_SOURCE below, plain
// JavaScript) reports its event-loop delay, CPU time and heap over IPC. The MCP servers it spawns are
// processes of their own and are not in its numbers. Linux only (/proc).
//
// BENCH_BOT_RUNNER=tsx|dist|build chooses how the bot starts (bench/lib/programs.ts).
// BENCH_CPU_PROFILE=<folder> adds --cpu-prof, and the profile is summarized on stderr when the
// program stops (bench/lib/cpu-profile.ts). The bot's node gets the flags of its `npm start` (the heap
// limits), as a user's would; BENCH_BOT_NODE_FLAGS="--max-old-space-size=96" adds more (experiments;
// not to the naive port's).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic, type Script } from '../../test/fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../test/fakes/slack-api.js';
import { EVERYTHING_SERVER, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../test/helpers/bot-harness.js';
import { cleanEnv, freePort, type Run } from '../../test/helpers/bot-process.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { track } from './children.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { startModelTap, type ModelTap } from './model-tap.js';
import { BOT, type Program } from './programs.js';

export interface ProbeStats {
  /** process.cpuUsage() totals since the process started (all threads), microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** Event-loop delay since the last reset (perf_hooks, 5 ms resolution), ms. */
  loopMaxMs: number;
  loopP99Ms: number;
  /** Largest heapUsed seen by the 50 ms sampler since the last reset, and the heap spaces at that moment, bytes. */
  heapUsedMax: number;
  newSpaceAtMax: number;
  oldSpaceAtMax: number;
  largeObjectsAtMax: number;
  /** Largest external + arrayBuffers since the last reset, bytes. */
  externalMax: number;
  /** Now, bytes. */
  rss: number;
  heapUsed: number;
}

export type ProbeCommand = 'reset' | 'read' | 'gc' | 'profile-start' | 'profile-stop';

/**
 * Runs inside the program (node --expose-gc --import <this file>). It adds one histogram and a 50 ms
 * timer; the IPC channel is unref'd, so it never keeps the program alive. 'profile-start' and
 * 'profile-stop' run V8's CPU profiler through node:inspector over a window the bench chooses (a
 * .cpuprofile of those turns only, not the start-up), written to the file named.
 */
const PROBE_SOURCE = `
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
if (typeof process.send === 'function') {
  let session;
  const post = (method) => new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let peak = { heapUsedMax: 0, newSpaceAtMax: 0, oldSpaceAtMax: 0, largeObjectsAtMax: 0, externalMax: 0 };
  const space = (spaces, name) => spaces.find((s) => s.space_name === name)?.space_used_size ?? 0;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.heapUsed > peak.heapUsedMax) {
      const spaces = v8.getHeapSpaceStatistics();
      peak.heapUsedMax = m.heapUsed;
      peak.newSpaceAtMax = space(spaces, 'new_space');
      peak.oldSpaceAtMax = space(spaces, 'old_space');
      peak.largeObjectsAtMax = space(spaces, 'large_object_space') + space(spaces, 'new_large_object_space');
    }
    peak.externalMax = Math.max(peak.externalMax, m.external + m.arrayBuffers);
    return m;
  };
  setInterval(sample, 50).unref();
  process.on('message', async (message) => {
    if (message.cmd === 'gc' && typeof globalThis.gc === 'function') globalThis.gc();
    if (message.cmd === 'profile-start' && !session) {
      session = new inspector.Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    }
    if (message.cmd === 'profile-stop' && session) {
      const { profile } = await post('Profiler.stop');
      writeFileSync(message.file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    }
    const m = sample();
    const cpu = process.cpuUsage();
    const stats = { cpuUserUs: cpu.user, cpuSystemUs: cpu.system, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6, ...peak, rss: m.rss, heapUsed: m.heapUsed };
    if (message.cmd === 'reset') {
      loop.reset();
      peak = { heapUsedMax: 0, newSpaceAtMax: 0, oldSpaceAtMax: 0, largeObjectsAtMax: 0, externalMax: 0 };
      sample();
    }
    process.send({ id: message.id, stats });
  });
  process.channel?.unref();
}
`;

export interface ProcStatus {
  /** Resident set now, bytes. */
  rss: number;
  /** Peak resident set since the process started (VmHWM), bytes. */
  hwm: number;
}

export interface ThreadCpu {
  /** CPU time (user + system) of the main thread (the event loop), ms; 10 ms resolution. */
  mainMs: number;
  /** All other threads: libuv's pool (sqlite, fs, dns), V8's GC and compiler helpers, ms. */
  otherMs: number;
}

export interface ChildBot {
  pid: number;
  program: Program;
  /** http://127.0.0.1:<port> (/slack/events, /healthz). */
  url: string;
  /** How it was started, e.g. "node main.js (tsc build)" or "tsx src/main.ts". */
  runner: string;
  /** Spawn -> the first 200 from /healthz (polled every HEALTH_POLL_MS), ms. */
  startupMs: number;
  slack: FakeSlackApi;
  anthropic: FakeAnthropic;
  tap: ModelTap;
  /** /proc/<pid>/status of the bot (undefined once it is gone or off Linux). */
  status(): ProcStatus | undefined;
  threadCpu(): ThreadCpu | undefined;
  /**
   * Asks the probe inside the program; `reset` starts a new window for loop delay and peaks; `gc`
   * collects first; `profile-start` / `profile-stop` profile the CPU between them into `file`.
   */
  probe(cmd: ProbeCommand, file?: string): Promise<ProbeStats>;
  /** The bot's last stderr lines (its log at LOG_LEVEL, warn by default here). */
  stderrTail(lines?: number): string;
  /**
   * SIGTERM, then waits for the exit (SIGKILL after 15 s); closes the fakes. Resolves with the time
   * from the signal to the exit (undefined if it had already exited, NaN if it needed the SIGKILL).
   */
  stop(): Promise<number | undefined>;
}

export interface ChildBotOptions {
  script: Script;
  /** Default: the bot. */
  program?: Program;
  /** The compiled program (buildProgram()); without it, its source runs through tsx. */
  build?: Build;
  /** Extra environment (LOG_LEVEL defaults to warn, so logs do not dominate). */
  env?: Record<string, string>;
}

export interface Build {
  /** "node main.js (tsc build)", "node dist/main.js (the project's build)". */
  runner: string;
  main: string;
  remove(): void;
}

/**
 * Builds `program` as its runner says: tsc with its tsconfig into a temporary folder whose
 * node_modules is a link to the project's (the default), or the project's own dist/main.js. Undefined
 * when it runs through tsx or the build fails (the caller then runs it through tsx and says so).
 */
export async function buildProgram(program: Program, log: (line: string) => void): Promise<Build | undefined> {
  const runner = program.runner();
  if (runner === 'tsx') return undefined;
  if (runner === 'dist') {
    if (!program.dist || !existsSync(program.dist)) throw new Error(`${program.label}: no ${program.dist ?? 'dist build'}; run \`npm run build\` first`);
    return { runner: `node ${path.relative(process.cwd(), program.dist)} (the project's build)`, main: program.dist, remove: () => {} };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${program.id}-build-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const tsc = path.resolve('node_modules/typescript/bin/tsc');
  const outDir = path.join(dir, 'dist');
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, '-p', program.tsconfig, '--outDir', outDir, '--sourceMap', 'false'], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
    );
  });
  const main = path.join(outDir, 'main.js');
  // tsc emits even when it finds type errors; the program still runs then, but the log says so.
  if (result.code !== 0) log(`bench: tsc reported problems building ${program.label}: ${result.output.trim().split('\n').slice(0, 3).join(' | ')}`);
  if (!existsSync(main)) {
    log(`bench: no main.js from the build of ${program.label}; running it through tsx instead`);
    remove();
    return undefined;
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { runner: 'node main.js (tsc build)', main, remove };
}

const PROBE_TIMEOUT_MS = 10_000;
const HEALTH_POLL_MS = 20;
const HEALTH_TIMEOUT_MS = 60_000;

export async function startChildBot(options: ChildBotOptions): Promise<ChildBot> {
  const program = options.program ?? BOT;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-child-'));
  const slack = await startFakeSlackApi();
  const anthropic = await startFakeAnthropic({ script: options.script });
  const tap = await startModelTap(anthropic.url);
  const mcpFile = path.join(dir, 'mcp.json');
  writeFileSync(mcpFile, JSON.stringify({ mcpServers: { everything: EVERYTHING_SERVER } }));
  const probeFile = path.join(dir, 'probe.mjs');
  writeFileSync(probeFile, PROBE_SOURCE);
  const port = await freePort();
  const env = {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ANTHROPIC_BASE_URL: tap.url,
    ANTHROPIC_MAX_RETRIES: '1',
    // Named for both programs: the naive port has no default of its own.
    ANTHROPIC_MODEL: DEFAULT_MODEL,
    MCP_CONFIG: mcpFile,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const profiledBefore = new Set(profileDir ? readdirSync(profileDir) : []);
  // The program's own start flags (the bot's from `npm start`), then the experiment's (later ones win).
  const extraFlags = [...program.nodeFlags(), ...(program === BOT ? (process.env.BENCH_BOT_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '') : [])];
  const flags = ['--expose-gc', '--import', pathToFileURL(probeFile).href, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...extraFlags];
  const entry = options.build ? [...flags, options.build.main] : ['--import', import.meta.resolve('tsx'), ...flags, program.source];
  // The cwd is the temporary folder, so no .env of the developer's is read (main.ts loads dotenv).
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, entry, { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child);
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    run.stderr += d.toString();
    if (run.stderr.length > 200_000) run.stderr = run.stderr.slice(-100_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code) => ((run.code = code), resolve())));

  let nextId = 0;
  const pending = new Map<number, (stats: ProbeStats) => void>();
  child.on('message', (message: { id: number; stats: ProbeStats }) => pending.get(message.id)?.(message.stats));

  let stopped = false;
  const stop = async (): Promise<number | undefined> => {
    if (stopped) return undefined;
    stopped = true;
    let exitMs: number | undefined;
    if (run.code === null && child.exitCode === null) {
      const signalledAt = performance.now();
      let killed = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 15_000);
      await exited;
      clearTimeout(timer);
      exitMs = killed ? Number.NaN : performance.now() - signalledAt;
    }
    await Promise.allSettled([slack.close(), anthropic.close(), tap.close()]);
    rmSync(dir, { recursive: true, force: true });
    if (profileDir) {
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !profiledBefore.has(f))) {
        process.stderr.write(`bench: CPU profile of ${program.label}: ${path.join(profileDir, file)}\n${summarizeCpuProfile(path.join(profileDir, file))}\n`);
      }
    }
    return exitMs;
  };

  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('the bot process did not start');
    await Promise.race([
      waitHealthy(port, run),
      exited.then(() => {
        throw new Error(`${program.label} exited (code ${run.code}) before it was healthy: ${run.stderr.slice(-2000)}`);
      }),
    ]);
    const startupMs = performance.now() - spawnedAt;
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { servers?: { name: string; state: string }[] };
    const down = (health.servers ?? []).filter((server) => server.state !== 'up');
    if (down.length > 0) throw new Error(`MCP server(s) not up: ${down.map((s) => `${s.name} ${s.state}`).join('; ')}`);
    return {
      pid,
      program,
      startupMs,
      url: `http://127.0.0.1:${port}`,
      runner: `${options.build?.runner ?? `tsx ${path.relative(process.cwd(), program.source)}`}${extraFlags.length > 0 ? ` with ${extraFlags.join(' ')}` : ''}`,
      slack,
      anthropic,
      tap,
      status: () => procStatus(pid),
      threadCpu: () => threadCpu(pid),
      probe(cmd, file) {
        const id = nextId++;
        return new Promise<ProbeStats>((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error(`the bot's probe did not answer "${cmd}" in ${PROBE_TIMEOUT_MS} ms`));
          }, PROBE_TIMEOUT_MS);
          pending.set(id, (stats) => {
            clearTimeout(timer);
            pending.delete(id);
            resolve(stats);
          });
          child.send({ id, cmd, file });
        });
      },
      stderrTail: (lines = 8) => run.stderr.trim().split('\n').slice(-lines).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls /healthz every HEALTH_POLL_MS until it answers 200 (finer than the tests' 100 ms, for the start-up figure). */
async function waitHealthy(port: number, run: Run): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    await response?.arrayBuffer();
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`not healthy after ${HEALTH_TIMEOUT_MS} ms; its stderr:\n${run.stderr.slice(-2000)}`);
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export function procStatus(pid: number): ProcStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** utime + stime of each thread, from /proc/<pid>/task/<tid>/stat, in ms (USER_HZ is 100 on Linux). */
export function threadCpu(pid: number): ThreadCpu | undefined {
  try {
    let mainMs = 0;
    let otherMs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended between the two reads
      }
      // Fields after the command name (which may hold spaces) start at state (field 3).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15)
      if (tid === String(pid)) mainMs += ms;
      else otherMs += ms;
    }
    return { mainMs, otherMs };
  } catch {
    return undefined;
  }
}
