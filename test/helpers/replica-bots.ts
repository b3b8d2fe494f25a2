// Real bot processes for the replica tests: `node dist/main.js` in HTTP mode, as `npm start` runs it, each on its own port, all sharing the test's fake Slack and fake Anthropic
// and one STORE_URL. A replica can be stopped (SIGTERM) or killed outright (SIGKILL).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_API_KEY } from '../fakes/anthropic.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './bot-harness.js';
import { freePort, startBotProcess, waitHealthy } from './bot-process.js';
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
  /** mcpServers entries; default none. */
  servers?: Record<string, unknown>;
}

/** Starts a replica and waits for its /healthz (rejects with its stderr if it exits first). */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const cwd = mkdtempSync(path.join(tmpdir(), `replica-${options.name}-`));
  writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: options.servers ?? {} }));
  const port = await freePort();
  const bot = startBotProcess(
    {
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
    },
    cwd,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(port, bot).catch((error: unknown) => {
    throw new Error(`replica ${options.name} did not start: ${String(error)}`);
  });

  const end = async (signal: NodeJS.Signals) => {
    bot.program.signal(signal);
    await bot.program.waitExit();
    rmSync(cwd, { recursive: true, force: true });
  };
  return {
    name: options.name,
    url,
    child: bot.child,
    stderr: () => bot.program.stderr(),
    send: (envelope, sendOptions = {}) => postEvent(`${url}/slack/events`, envelope, { signingSecret: TEST_SIGNING_SECRET, ...sendOptions }),
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
