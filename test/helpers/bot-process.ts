// Runs the bot as `npm start` does (`node dist/main.js`) in a child process of its own group, with a
// clean environment, and helpers to find a free port and check that a process is gone.
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanEnv, PROGRAM_WAIT_MS, startProgram, type Program } from './program.js';

export { cleanEnv };

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BotProcess {
  child: Program['child'];
  program: Program;
  /** What the bot has printed so far (code stays null until it exits). */
  run: Run;
  exited: Promise<Run>;
}

export function startBotProcess(env: Record<string, string>, cwd: string): BotProcess {
  const program = startProgram('main.js', [], { cwd, env: cleanEnv(env) });
  const run: Run = {
    code: null,
    get stdout() {
      return program.stdout();
    },
    get stderr() {
      return program.stderr();
    },
  };
  const exited = program.exited.then((code) => ({ code, stdout: program.stdout(), stderr: program.stderr() }));
  return { child: program.child, program, run, exited };
}

/** Runs the bot until it exits by itself (a start that fails); kills its group if it does not. */
export async function runToExit(env: Record<string, string>, cwd = mkdtempSync(path.join(tmpdir(), 'bot-proc-'))): Promise<Run> {
  const { program } = startBotProcess(env, cwd);
  const code = await program.waitExit();
  return { code, stdout: program.stdout(), stderr: program.stderr() };
}

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Whether a process still runs (the hub's own check, so tests and code agree on what "gone" means). */
export { isAlive as alive } from '../../src/mcp/process-exit.js';

export interface Health {
  ready: boolean;
  servers: { name: string; state: string; pid?: number }[];
}

/**
 * Waits until the bot on this port answers /healthz with 200, and returns what it said. Given the
 * BotProcess, it fails at once with what the bot printed if the bot exits first (the bench passes
 * the Run of a process it spawned itself).
 */
export async function waitHealthy(port: number, bot: BotProcess | Run, tries = PROGRAM_WAIT_MS / 100): Promise<Health> {
  const program = 'program' in bot ? bot.program : undefined;
  for (let i = 0; i < tries; i++) {
    if (program?.hasExited()) throw new Error(`the bot exited before /healthz answered${program.output()}`);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (response?.status === 200) return (await response.json()) as Health;
    await new Promise((r) => setTimeout(r, 100));
  }
  program?.killGroup();
  throw new Error(`the bot never became healthy${program ? program.output() : `; its stderr:\n${(bot as Run).stderr}`}`);
}

/** The environment of a bot process in HTTP mode against the fakes, on `port`, with a sqlite store in `dir`. */
export function botProcessEnv(fakes: { slackApiUrl: string; anthropicUrl: string }, port: number, dir: string, tokens: { bot: string; signing: string; apiKey: string }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: tokens.bot,
    SLACK_SIGNING_SECRET: tokens.signing,
    SLACK_API_URL: fakes.slackApiUrl,
    ANTHROPIC_API_KEY: tokens.apiKey,
    ANTHROPIC_BASE_URL: fakes.anthropicUrl,
    PORT: String(port),
    STORE_URL: `sqlite://${path.join(dir, 'bot.sqlite')}`,
  };
}
