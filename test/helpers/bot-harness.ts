// Runs the real bot (startBot: Bolt over HTTP, real MCP servers, the real store) against the fake
// Slack Web API and the fake Anthropic API, and sends it signed events as Slack would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBot, type BotDeps, type BotHandle } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic, type ReplySpec, type Script } from '../fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi, type FakeSlackOptions } from '../fakes/slack-api.js';
import { appMention, messageEvent, postEvent, type EnvelopeOptions, type EventEnvelope, type EventInput } from './sign.js';

export const TEST_BOT_TOKEN = 'xoxb-test-bot-token-0123456789';
export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEST_APP_TOKEN = 'xapp-1-test-app-token-0123456789';

export const EVERYTHING_SERVER = {
  command: process.execPath,
  args: [path.resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
};

export interface HarnessOptions {
  script?: Script | ReplySpec[];
  /** mcpServers entries (local, or remote by url); default server-everything as "everything". */
  servers?: Record<string, { command: string; args: string[]; env?: Record<string, string> } | { url: string; headers?: Record<string, string> }>;
  /** Default a fresh sqlite file in a temporary folder. */
  storeUrl?: string;
  slack?: FakeSlackOptions;
  /** Reuse running fakes (a restart of the bot keeps Slack and Claude). */
  fakes?: { slack: FakeSlackApi; anthropic: FakeAnthropic };
  env?: Record<string, string>;
  /** How long a tool note may go without news before it is shown again (the bot's default: 60 s). */
  keepAliveMs?: number;
  /** Socket Mode (an app token, no signing secret) on this port instead of HTTP mode on port 0. */
  socketMode?: { port: number };
  /** How old Slack's last answer may be before /healthz asks again (the bot's defaults: 60 s / 5 s). */
  slackRecheck?: BotDeps['slackRecheck'];
  /** Metrics and traces of the bot's own choosing (an in-memory span exporter); default from the settings. */
  observability?: BotDeps['observability'];
}

export interface Harness {
  bot: BotHandle;
  slack: FakeSlackApi;
  anthropic: FakeAnthropic;
  config: Config;
  /** Base URL of the bot's HTTP server (/slack/events, /healthz). */
  url: string;
  storeUrl: string;
  logLines: string[];
  mention(input: EventInput, options?: EnvelopeOptions): Promise<{ response: Response; envelope: EventEnvelope }>;
  message(input: EventInput, options?: EnvelopeOptions): Promise<{ response: Response; envelope: EventEnvelope }>;
  send(envelope: EventEnvelope, options?: { retryNum?: number; badSignature?: boolean; stale?: boolean }): Promise<Response>;
  /** Stops the bot; the fakes too unless `keepFakes`. */
  stop(options?: { keepFakes?: boolean }): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bot-e2e-'));
  const slack = options.fakes?.slack ?? (await startFakeSlackApi(options.slack));
  const anthropic = options.fakes?.anthropic ?? (await startFakeAnthropic({ script: options.script ?? [] }));
  if (options.fakes && options.script) anthropic.script(options.script);
  const mcpFile = path.join(dir, 'mcp.json');
  writeFileSync(mcpFile, JSON.stringify({ mcpServers: options.servers ?? { everything: EVERYTHING_SERVER } }));
  const storeUrl = options.storeUrl ?? `sqlite://${path.join(dir, 'bot.sqlite')}`;
  const mode = options.socketMode ? { SLACK_APP_TOKEN: TEST_APP_TOKEN } : { SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET };
  const env = {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    ...mode,
    SLACK_API_URL: slack.apiUrl,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_MAX_RETRIES: '1',
    MCP_CONFIG: mcpFile,
    STORE_URL: storeUrl,
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config: Config = { ...loadConfig(env, { requireSlack: true }), port: options.socketMode?.port ?? 0 };
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logLines.push(line) });
  const bot = await startBot(config, { logger, env, approvalPollMs: 100, keepAliveMs: options.keepAliveMs, slackRecheck: options.slackRecheck, observability: options.observability });
  const url = `http://127.0.0.1:${bot.port}`;
  const send: Harness['send'] = (envelope, sendOptions = {}) =>
    postEvent(`${url}/slack/events`, envelope, { signingSecret: TEST_SIGNING_SECRET, ...sendOptions });
  return {
    bot,
    slack,
    anthropic,
    config,
    url,
    storeUrl,
    logLines,
    async mention(input, envelopeOptions) {
      const envelope = appMention(input, envelopeOptions);
      return { response: await send(envelope), envelope };
    },
    async message(input, envelopeOptions) {
      const envelope = messageEvent(input, envelopeOptions);
      return { response: await send(envelope), envelope };
    },
    send,
    async stop(stopOptions = {}) {
      await bot.stop(5000);
      if (!stopOptions.keepFakes) {
        await slack.close();
        await anthropic.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
