// The bot in a process of its own, as `npm start` runs it: src/ compiled by tsc (tsconfig.build.json)
// into a temporary folder, then `node dist/main.js`; the fake Slack Web API, the fake Anthropic API and
// the model tap stay in the bench process. So the bot's memory and CPU are its own: RSS comes from
// /proc/<pid>/status (VmRSS now, VmHWM the peak since start), CPU per thread from /proc/<pid>/task,
// and a probe loaded into the bot with --import (PROBE_SOURCE below, plain JavaScript) reports its
// event-loop delay, CPU time and heap over IPC. The MCP servers the bot spawns are processes of their
// own and are not in its numbers. Linux only (/proc).
//
// BENCH_BOT_RUNNER=tsx runs src/main.ts through tsx instead (as test/helpers/bot-process.ts does; no
// build, but tsx's loader thread adds ~50 MB of RSS). BENCH_CPU_PROFILE=<folder> adds --cpu-prof, and
// the profile is summarized on stderr when the bot stops (bench/lib/cpu-profile.ts).
// BENCH_BOT_NODE_FLAGS="--max-old-space-size=96" passes more flags to the bot's node (experiments).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic, type Script } from '../../test/fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../test/fakes/slack-api.js';
import { EVERYTHING_SERVER, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../test/helpers/bot-harness.js';
import { cleanEnv, freePort, waitHealthy, type Run } from '../../test/helpers/bot-process.js';
import { track } from './children.js';
import { summarizeCpuProfile } from './cpu-profile.js';
import { startModelTap, type ModelTap } from './model-tap.js';

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

export type ProbeCommand = 'reset' | 'read' | 'gc';

/**
 * Runs inside the bot (node --expose-gc --import <this file>). It adds one histogram and a 50 ms
 * timer; the IPC channel is unref'd, so it never keeps the bot alive.
 */
const PROBE_SOURCE = `
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
if (typeof process.send === 'function') {
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
  process.on('message', (message) => {
    if (message.cmd === 'gc' && typeof globalThis.gc === 'function') globalThis.gc();
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
  /** http://127.0.0.1:<port> (/slack/events, /healthz). */
  url: string;
  /** "node dist/main.js (tsc build)" or "tsx src/main.ts". */
  runner: string;
  slack: FakeSlackApi;
  anthropic: FakeAnthropic;
  tap: ModelTap;
  /** /proc/<pid>/status of the bot (undefined once it is gone or off Linux). */
  status(): ProcStatus | undefined;
  threadCpu(): ThreadCpu | undefined;
  /** Asks the probe inside the bot; `reset` starts a new window for loop delay and peaks; `gc` collects first. */
  probe(cmd: ProbeCommand): Promise<ProbeStats>;
  /** The bot's last stderr lines (its log at LOG_LEVEL, warn by default here). */
  stderrTail(lines?: number): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s); closes the fakes. */
  stop(): Promise<void>;
}

export interface ChildBotOptions {
  script: Script;
  /** The compiled bot (buildBot()); without it, src/main.ts runs through tsx. */
  build?: BotBuild;
  /** Extra environment for the bot (LOG_LEVEL defaults to warn, so logs do not dominate). */
  env?: Record<string, string>;
}

export interface BotBuild {
  dir: string;
  main: string;
  remove(): void;
}

/**
 * Compiles src/ as `npm run build` does (tsconfig.build.json), into a temporary folder whose
 * node_modules is a link to the project's. Undefined when BENCH_BOT_RUNNER=tsx or the build fails
 * (the caller then runs the bot through tsx and says so).
 */
export async function buildBot(log: (line: string) => void): Promise<BotBuild | undefined> {
  if (process.env.BENCH_BOT_RUNNER === 'tsx') return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bot-build-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const tsc = path.resolve('node_modules/typescript/bin/tsc');
  const outDir = path.join(dir, 'dist');
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
    );
  });
  const main = path.join(outDir, 'main.js');
  // tsc emits even when it finds type errors; the bot still runs then, but the log says so.
  if (result.code !== 0) log(`bench: tsc reported problems building the bot: ${result.output.trim().split('\n').slice(0, 3).join(' | ')}`);
  if (!existsSync(main)) {
    log('bench: no dist/main.js from the build; running the bot through tsx instead');
    remove();
    return undefined;
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'probe.mjs'), PROBE_SOURCE);
  return { dir, main, remove };
}

const PROBE_TIMEOUT_MS = 10_000;

export async function startChildBot(options: ChildBotOptions): Promise<ChildBot> {
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
    MCP_CONFIG: mcpFile,
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const profileDir = process.env.BENCH_CPU_PROFILE ? path.resolve(process.env.BENCH_CPU_PROFILE) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const profiledBefore = new Set(profileDir ? readdirSync(profileDir) : []);
  const extraFlags = (process.env.BENCH_BOT_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
  const flags = ['--expose-gc', '--import', pathToFileURL(probeFile).href, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...extraFlags];
  const entry = options.build
    ? [...flags, options.build.main]
    : ['--import', import.meta.resolve('tsx'), ...flags, path.resolve('src/main.ts')];
  // The cwd is the temporary folder, so no .env of the developer's is read (main.ts loads dotenv).
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
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (run.code === null && child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await Promise.allSettled([slack.close(), anthropic.close(), tap.close()]);
    rmSync(dir, { recursive: true, force: true });
    if (profileDir) {
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !profiledBefore.has(f))) {
        process.stderr.write(`bench: CPU profile of the bot: ${path.join(profileDir, file)}\n${summarizeCpuProfile(path.join(profileDir, file))}\n`);
      }
    }
  };

  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('the bot process did not start');
    await Promise.race([
      waitHealthy(port, run, 300),
      exited.then(() => {
        throw new Error(`the bot exited (code ${run.code}) before it was healthy: ${run.stderr.slice(-2000)}`);
      }),
    ]);
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { servers?: { name: string; state: string }[] };
    const down = (health.servers ?? []).filter((server) => server.state !== 'up');
    if (down.length > 0) throw new Error(`MCP server(s) not up: ${down.map((s) => `${s.name} ${s.state}`).join('; ')}`);
    return {
      pid,
      url: `http://127.0.0.1:${port}`,
      runner: `${options.build ? 'node dist/main.js (tsc build)' : 'tsx src/main.ts'}${extraFlags.length > 0 ? ` with ${extraFlags.join(' ')}` : ''}`,
      slack,
      anthropic,
      tap,
      status: () => procStatus(pid),
      threadCpu: () => threadCpu(pid),
      probe(cmd) {
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
          child.send({ id, cmd });
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
