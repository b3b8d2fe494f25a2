// Real bot processes for the replica tests: `node --import tsx src/main.ts` in HTTP mode, as
// `npm start` runs it, each on its own port, all sharing the test's fake Slack and fake Anthropic
// and one STORE_URL. A replica can be stopped (SIGTERM) or killed outright (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_API_KEY } from '../fakes/anthropic.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './bot-harness.js';
import { postEvent, type EventEnvelope } from './sign.js';

export interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything the process wrote on stderr (its JSON log lines). */
  stderr(): string;
  send(envelope: EventEnvelope, options?: { retryNum?: number }): Promise<Response>;
  /** SIGKILL: no shutdown, no release, no goodbye. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  name: string;
  slackApiUrl: string;
  anthropicUrl: string;
  storeUrl: string;
  /** Extra environment (LOCK_LEASE_MS, ...). */
  env?: Record<string, string>;
}

/** The environment a person would have: none of the developer's Slack, Anthropic or store settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(SLACK_|ANTHROPIC_|MCP_|STORE_URL|PORT|LOG_LEVEL|NODE_TEST)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts a replica and waits for its /healthz (rejects with its stderr if it exits first). */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const cwd = mkdtempSync(path.join(tmpdir(), `replica-${options.name}-`));
  writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: {} }));
  const port = await freePort();
  const env = cleanEnv({
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: options.slackApiUrl,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ANTHROPIC_BASE_URL: options.anthropicUrl,
    ANTHROPIC_MAX_RETRIES: '0',
    PORT: String(port),
    STORE_URL: options.storeUrl,
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.resolve('src/main.ts')], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;

  let healthy = false;
  while (!healthy) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`replica ${options.name} exited at start:\n${stderr}`);
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    healthy = response?.status === 200;
    if (!healthy) await new Promise((r) => setTimeout(r, 50));
  }

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    rmSync(cwd, { recursive: true, force: true });
  };
  return {
    name: options.name,
    url,
    child,
    stderr: () => stderr,
    send: (envelope, sendOptions = {}) => postEvent(`${url}/slack/events`, envelope, { signingSecret: TEST_SIGNING_SECRET, ...sendOptions }),
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
