// Runs the bot as `npm start` does (src/main.ts, through tsx) in a child process, with a clean
// environment, and helpers to find a free port and check that a process is gone.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a person would have: none of the developer's Slack or Anthropic variables. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(SLACK_|ANTHROPIC_|MCP_|POLICY_|STORE_URL|PORT|LOG_LEVEL)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export function startBotProcess(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.resolve('src/main.ts')], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ ...run, code })));
  return { child, run, exited };
}

export function runToExit(env: Record<string, string>, cwd = mkdtempSync(path.join(tmpdir(), 'bot-proc-'))): Promise<Run> {
  return startBotProcess(env, cwd).exited;
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

/** Waits until the bot on this port answers /healthz with 200, and returns what it said. */
export async function waitHealthy(port: number, run: Run, tries = 100): Promise<{ ready: boolean; servers: { name: string; state: string; pid?: number }[] }> {
  for (let i = 0; i < tries; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (response?.status === 200) return (await response.json()) as { ready: boolean; servers: { name: string; state: string; pid?: number }[] };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bot never became healthy; its stderr:\n${run.stderr}`);
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
