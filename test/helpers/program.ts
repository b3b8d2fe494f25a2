// This repository's programs as a person runs them: `node dist/main.js` (npm start) and
// `node dist/cli/main.js` (npm run chat), built once by scripts/run-tests.mjs before the tests, so no
// process compiles TypeScript of its own. Each runs in a process group of its own (spawned detached),
// so a test that gives up kills the program and every server it started, and reports what the
// program printed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * How long a test waits for a program to start, answer or exit. Generous on purpose: a start takes
 * under a second on an idle machine, but several seconds on a loaded 2-core one.
 */
export const PROGRAM_WAIT_MS = 60_000;

export type ProgramEntry = 'main.js' | 'cli/main.js';

export interface Program {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Both streams, labelled, for a failure message. */
  output(): string;
  /** The exit code (null after a signal), once the program has exited and its output is read. */
  exited: Promise<number | null>;
  /** True once the program has exited. */
  hasExited(): boolean;
  /** Sends `signal` to the program alone (its own shutdown then closes its servers). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole process group: the program and every server it started. */
  killGroup(): void;
  /** The exit code; kills the group and fails with what the program printed if it does not exit in time. */
  waitExit(timeoutMs?: number): Promise<number | null>;
  /** Polls `check` until it holds; fails with what the program printed if it exits first or time runs out. */
  waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
}

const running = new Set<Program>();
// A test file that ends (or fails) with programs still running leaves none behind.
process.once('exit', killAllPrograms);

/** Kills the process group of every program still running (for after() hooks). */
export function killAllPrograms(): void {
  for (const program of running) program.killGroup();
}

/** The environment a person would have: none of the developer's Slack, Anthropic, store or test settings. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(SLACK_|ANTHROPIC_|MCP_|POLICY_|APPROVAL_|STORE_URL|PORT|LOG_LEVEL|NODE_TEST|METRICS_PORT|OTEL_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

export function startProgram(entry: ProgramEntry, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Program {
  const script = path.join(REPO_ROOT, 'dist', entry);
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` (scripts/run-tests.mjs builds before the tests)`);
  const child = spawn(process.execPath, [script, ...args], { cwd: options.cwd, env: options.env, stdio: 'pipe', detached: true });
  let out = '';
  let err = '';
  let done = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const output = () => `\n--- ${entry} stdout ---\n${out}\n--- ${entry} stderr ---\n${err}`;

  const program: Program = {
    child,
    stdout: () => out,
    stderr: () => err,
    output,
    exited: new Promise((resolve) => {
      child.once('error', (error) => {
        err += `\n(could not start: ${error.message})`;
        done = true;
        resolve(null);
      });
      child.once('close', (code) => {
        done = true;
        resolve(code);
      });
    }),
    hasExited: () => done,
    signal: (signal) => {
      if (!done) child.kill(signal);
    },
    killGroup: () => {
      running.delete(program);
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already empty.
      }
    },
    async waitExit(timeoutMs = PROGRAM_WAIT_MS) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const result = await Promise.race([program.exited, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        program.killGroup();
        throw new Error(`${entry} did not exit within ${timeoutMs} ms${output()}`);
      }
      return result;
    },
    async waitFor(check, what, timeoutMs = PROGRAM_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (done) throw new Error(`${entry} exited (code ${child.exitCode ?? child.signalCode}) before: ${what}${output()}`);
        if (Date.now() > deadline) {
          program.killGroup();
          throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  // Kept after its exit too: a server it left behind is still in its group, and the tests that check
  // for leftovers look before killAllPrograms() sweeps them.
  running.add(program);
  return program;
}
