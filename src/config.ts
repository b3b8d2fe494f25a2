// Configuration, read once at start from the environment (and .env, loaded by the entry points).
// Every problem is collected and reported together, one line each: which variable, what is wrong,
// how to fix it. Nothing here reads the servers file's contents; that is src/mcp/servers-file.ts.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_STORE_URL, parseStoreUrl } from './store.js';
import type { LogLevel } from './log.js';
import { DEFAULT_THREAD_MAX_STORED_BYTES } from './agent/loop.js';
import { KEY_BYTES, parseKey } from './oauth/seal.js';
import { API_REQUEST_BYTES, DEFAULT_FILE_CAPS, type FileCaps } from './files/content.js';
import { DEFAULT_UPLOAD_MAX_BYTES, SLACK_UPLOAD_MAX_BYTES } from './files/upload-caps.js';

export const DEFAULT_MODEL = 'claude-sonnet-5-5';
/** Worker processes by default (README, "Both cores": what the bench measured). */
export const DEFAULT_WORKERS = 1;
const MAX_WORKERS = 64;
/** Turns answered at once per process (sized from a burst measurement: see README, "How questions flow"). */
export const DEFAULT_MAX_CONCURRENT_TURNS = 256;

export interface SlackConfig {
  botToken: string;
  /** Socket Mode when set, HTTP mode otherwise. */
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
}

export interface Config {
  slack?: SlackConfig;
  port: number;
  anthropic: {
    apiKey?: string;
    baseURL?: string;
    model: string;
    maxTokens: number;
    maxRetries: number;
    /** Longest wait for Claude to start answering (per attempt), and longest silence in an answer under way. */
    timeoutMs: number;
    system: string;
  };
  mcp: {
    configPath: string;
    /** True when MCP_CONFIG was set explicitly (then a missing file is an error, not "no servers"). */
    explicit: boolean;
    callTimeoutMs: number;
    /** Directories offered to every server as MCP roots (a server entry's own "roots" win). */
    roots: string[];
    /** The most tokens a server's sampling request may use. */
    samplingMaxTokens: number;
  };
  /** lockLeaseMs: how long a replica that died mid-turn keeps its thread locked (redis:// only). */
  store: { url: string; ttlMs: number; lockLeaseMs: number };
  /** How often a turn waiting for a click looks in the store; five polls without a heartbeat mean its waiter is gone. */
  approvals: { pollMs: number };
  /** maxConcurrent: turns one process answers at once; more questions wait in the inbox. */
  turns: { maxConcurrent: number };
  /** Worker processes on this machine (WORKERS; `auto`: one per available core). 1: this process alone. */
  workers: number;
  /** maxStoredBytes: past it, a thread's stored transcript is compacted (oldest tool results first). */
  agent: { maxRounds: number; historyBudgetTokens: number; maxStoredBytes: number };
  /** Caps on files attached to a question (src/files/content.ts). */
  files: FileCaps;
  /** Past this many characters an answer's stream stops and the whole answer is posted as a Markdown file (0: only when asked). */
  answerAsFileChars: number;
  /** The largest file the bot uploads into a thread (a tool's file, an answer as a file); the policy's limits.fileBytes lowers it. */
  uploadMaxBytes: number;
  /** A tool's text result of at least this many characters is also posted as a file in the thread (0: never). */
  toolTextAsFileChars: number;
  /**
   * OAuth to remote servers. publicUrl: where people's browsers reach the bot (no trailing slash);
   * key: TOKEN_ENCRYPTION_KEY, 32 bytes, absent when not set (then no OAuth server may be configured).
   */
  oauth: { publicUrl: string; key?: Buffer };
  logLevel: LogLevel;
  /** Monitoring (src/observe/): where /metrics is served, and where traces go. */
  observe: ObserveConfig;
}

export interface ObserveConfig {
  /** METRICS_PORT: 'same' (unset: /metrics on PORT), 'off', or a port of its own. */
  metrics: 'same' | 'off' | { port: number };
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces are exported there (OTLP over HTTP); unset: no tracing at all. */
  otlpEndpoint?: string;
  /** OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true: questions, answers and tool arguments go into spans. */
  captureContent: boolean;
}

export const DEFAULT_SYSTEM_PROMPT = [
  'You are a helpful assistant for a team, answering in Slack threads and a terminal chat.',
  'You can call the tools you are given; use them when they help, and say which you used when it matters.',
  'Be concise. Use standard Markdown (it is rendered for the reader). Never mention @channel, @here or @everyone.',
].join(' ');

const intIn = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${name}: "${raw}" is not a whole number from ${min} to ${max} (default ${fallback})` });
        return z.NEVER;
      }
      return value;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: optionalText,
  PORT: intIn('PORT', 1, 65535, 3000),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalText,
  ANTHROPIC_MODEL: optionalText,
  ANTHROPIC_MAX_TOKENS: intIn('ANTHROPIC_MAX_TOKENS', 256, 128000, 8192),
  ANTHROPIC_MAX_RETRIES: intIn('ANTHROPIC_MAX_RETRIES', 0, 10, 4),
  ANTHROPIC_TIMEOUT_MS: intIn('ANTHROPIC_TIMEOUT_MS', 1000, 3_600_000, 180_000),
  SYSTEM_PROMPT: optionalText,
  MCP_CONFIG: optionalText,
  MCP_CALL_TIMEOUT_MS: intIn('MCP_CALL_TIMEOUT_MS', 1000, 3_600_000, 60_000),
  MCP_ROOTS: optionalText,
  SAMPLING_MAX_TOKENS: intIn('SAMPLING_MAX_TOKENS', 1, 64_000, 1024),
  STORE_URL: optionalText,
  HISTORY_TTL_DAYS: intIn('HISTORY_TTL_DAYS', 1, 3650, 30),
  LOCK_LEASE_MS: intIn('LOCK_LEASE_MS', 1000, 600_000, 30_000),
  APPROVAL_POLL_MS: intIn('APPROVAL_POLL_MS', 50, 60_000, 1000),
  MAX_CONCURRENT_TURNS: intIn('MAX_CONCURRENT_TURNS', 1, 1000, DEFAULT_MAX_CONCURRENT_TURNS),
  WORKERS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '') return DEFAULT_WORKERS;
      if (value === 'auto') return availableParallelism();
      const count = Number(value);
      if (Number.isInteger(count) && count >= 1 && count <= MAX_WORKERS) return count;
      ctx.addIssue({ code: 'custom', message: `WORKERS: "${raw}" is not auto or a whole number from 1 to ${MAX_WORKERS} (default ${DEFAULT_WORKERS})` });
      return z.NEVER;
    }),
  HISTORY_BUDGET_TOKENS: intIn('HISTORY_BUDGET_TOKENS', 1000, 1_000_000, 100_000),
  MAX_TOOL_ROUNDS: intIn('MAX_TOOL_ROUNDS', 1, 100, 10),
  THREAD_MAX_STORED_BYTES: intIn('THREAD_MAX_STORED_BYTES', 100_000, 100_000_000, DEFAULT_THREAD_MAX_STORED_BYTES),
  FILE_MAX_BYTES: intIn('FILE_MAX_BYTES', 1, API_REQUEST_BYTES, DEFAULT_FILE_CAPS.maxFileBytes),
  QUESTION_FILES_MAX_BYTES: intIn('QUESTION_FILES_MAX_BYTES', 1, API_REQUEST_BYTES, DEFAULT_FILE_CAPS.maxQuestionBytes),
  ANSWER_AS_FILE_CHARS: intIn('ANSWER_AS_FILE_CHARS', 0, 10_000_000, 0),
  TOOL_TEXT_AS_FILE_CHARS: intIn('TOOL_TEXT_AS_FILE_CHARS', 0, 10_000_000, 0),
  // Slack takes up to 1 GB a file (docs.slack.dev/reference/methods/files.getUploadURLExternal).
  UPLOAD_MAX_BYTES: intIn('UPLOAD_MAX_BYTES', 1, SLACK_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_MAX_BYTES),
  METRICS_PORT: z
    .string()
    .optional()
    .transform((raw, ctx): ObserveConfig['metrics'] => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '') return 'same';
      if (value === 'off' || value === '0') return 'off';
      const port = Number(value);
      if (Number.isInteger(port) && port >= 1 && port <= 65535) return { port };
      ctx.addIssue({ code: 'custom', message: `METRICS_PORT: "${raw}" is not off, 0 or a port from 1 to 65535; leave it unset to serve /metrics on PORT` });
      return z.NEVER;
    }),
  // The GenAI instrumentations' own switch for message content in telemetry (opentelemetry-python-contrib
  // PR 2947, "generic OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"); off unless "true".
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = (raw ?? '').trim().toLowerCase();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      ctx.addIssue({ code: 'custom', message: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "${raw}" is not true or false (default false: no message content in traces)` });
      return z.NEVER;
    }),
  PUBLIC_URL: optionalText,
  TOKEN_ENCRYPTION_KEY: optionalText,
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((raw, ctx): LogLevel => {
      const value = (raw ?? '').trim().toLowerCase() || 'info';
      if (value === 'debug' || value === 'info' || value === 'warn' || value === 'error') return value;
      ctx.addIssue({ code: 'custom', message: `LOG_LEVEL: "${raw}" is not one of debug, info, warn, error (default info)` });
      return z.NEVER;
    }),
});

/** The settings loadConfig checks itself (tokens and URLs); parsing them cannot fail. */
const textSettings = envSchema.pick({ SLACK_BOT_TOKEN: true, SLACK_APP_TOKEN: true, SLACK_SIGNING_SECRET: true, SLACK_API_URL: true, ANTHROPIC_BASE_URL: true });
/** The OpenTelemetry SDK's own variable, read by its OTLP exporter too; checked here so a typo is told at start. */
const otlpEndpoint = (env: NodeJS.ProcessEnv) => optionalText.parse(env.OTEL_EXPORTER_OTLP_ENDPOINT);

export interface LoadOptions {
  /** `npm start` needs Slack; the terminal chat does not. */
  requireSlack: boolean;
  /** `npm start` cannot answer without a key, so a missing one is a problem like any other. */
  requireApiKey?: boolean;
}

export const DEFAULT_SERVERS_FILE = './mcp.json';

/** Where the servers file is (MCP_CONFIG or ./mcp.json): readable even when other settings are wrong. */
export function serversFileSetting(env: NodeJS.ProcessEnv): { configPath: string; explicit: boolean } {
  const named = optionalText.parse(env.MCP_CONFIG);
  return { configPath: named ?? DEFAULT_SERVERS_FILE, explicit: named !== undefined };
}

export function loadConfig(env: NodeJS.ProcessEnv, options: LoadOptions): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  // The text settings never fail to parse, so they are checked even when a number was refused:
  // every problem is reported in one go.
  const e = textSettings.parse(env);

  let slack: SlackConfig | undefined;
  if (options.requireSlack) {
    if (!e.SLACK_BOT_TOKEN) {
      problems.push(
        'SLACK_BOT_TOKEN: not set. Create the Slack app from manifest.yml (README, "Set up in Slack"), install it, and copy its Bot User OAuth Token (xoxb-...). To try the bot without Slack, run `npm run chat`.',
      );
    } else if (!e.SLACK_BOT_TOKEN.startsWith('xoxb-')) {
      problems.push('SLACK_BOT_TOKEN: does not start with xoxb-; use the Bot User OAuth Token from "OAuth & Permissions".');
    }
    if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-')) {
      problems.push('SLACK_APP_TOKEN: does not start with xapp-; create an app-level token with connections:write under "Basic Information".');
    }
    if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
      problems.push(
        'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: neither is set. Set SLACK_APP_TOKEN (xapp-...) for Socket Mode, or SLACK_SIGNING_SECRET ("Basic Information" -> Signing Secret) for HTTP mode.',
      );
    }
    if (e.SLACK_API_URL && !isHttpUrl(e.SLACK_API_URL)) {
      problems.push(`SLACK_API_URL: "${e.SLACK_API_URL}" is not an http(s) URL; leave it unset to use Slack's own.`);
    }
    if (e.SLACK_BOT_TOKEN) {
      slack = {
        botToken: e.SLACK_BOT_TOKEN,
        appToken: e.SLACK_APP_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        apiUrl: e.SLACK_API_URL,
      };
    }
  }
  if (options.requireApiKey && !optionalText.parse(env.ANTHROPIC_API_KEY)) {
    problems.push('ANTHROPIC_API_KEY: not set. Create a key in the Anthropic console and set it in the environment or .env.');
  }
  const storeUrl = optionalText.parse(env.STORE_URL);
  if (storeUrl) problems.push(...storeUrlProblems(storeUrl));
  if (parsed.success && parsed.data.WORKERS > 1 && storeUrl !== undefined && parseableKind(storeUrl) === 'memory') {
    problems.push('WORKERS: more than one worker needs a store they share; use sqlite:// (the default) or redis://, or set WORKERS=1 with memory://.');
  }
  if (e.ANTHROPIC_BASE_URL && !isHttpUrl(e.ANTHROPIC_BASE_URL)) {
    problems.push(`ANTHROPIC_BASE_URL: "${e.ANTHROPIC_BASE_URL}" is not an http(s) URL; leave it unset to use Anthropic's API.`);
  }
  const otlp = otlpEndpoint(env);
  if (otlp && !isHttpUrl(otlp)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT: "${otlp}" is not an http(s) URL; give the collector's OTLP/HTTP base URL (e.g. http://localhost:4318) or leave it unset for no traces.`);
  }
  const publicUrl = optionalText.parse(env.PUBLIC_URL);
  if (publicUrl && !isHttpUrl(publicUrl)) {
    problems.push(`PUBLIC_URL: "${publicUrl}" is not an http(s) URL; give the address people's browsers reach the bot at, e.g. https://bot.example.com`);
  }
  const keyText = optionalText.parse(env.TOKEN_ENCRYPTION_KEY);
  const key = keyText === undefined ? undefined : parseKey(keyText);
  if (keyText !== undefined && !key) {
    problems.push(`TOKEN_ENCRYPTION_KEY: is not ${KEY_BYTES} bytes in base64; make one with \`openssl rand -base64 ${KEY_BYTES}\``);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const n = parsed.data;
  return {
    slack,
    port: n.PORT,
    anthropic: {
      apiKey: n.ANTHROPIC_API_KEY,
      baseURL: e.ANTHROPIC_BASE_URL,
      model: n.ANTHROPIC_MODEL ?? DEFAULT_MODEL,
      maxTokens: n.ANTHROPIC_MAX_TOKENS,
      maxRetries: n.ANTHROPIC_MAX_RETRIES,
      timeoutMs: n.ANTHROPIC_TIMEOUT_MS,
      system: n.SYSTEM_PROMPT ?? DEFAULT_SYSTEM_PROMPT,
    },
    mcp: { ...serversFileSetting(env), callTimeoutMs: n.MCP_CALL_TIMEOUT_MS,
      roots: (n.MCP_ROOTS ?? '').split(',').map((r) => r.trim()).filter((r) => r !== ''),
      samplingMaxTokens: n.SAMPLING_MAX_TOKENS,
    },
    store: { url: n.STORE_URL ?? DEFAULT_STORE_URL, ttlMs: n.HISTORY_TTL_DAYS * 24 * 3600 * 1000, lockLeaseMs: n.LOCK_LEASE_MS },
    approvals: { pollMs: n.APPROVAL_POLL_MS },
    turns: { maxConcurrent: n.MAX_CONCURRENT_TURNS },
    workers: n.WORKERS,
    agent: { maxRounds: n.MAX_TOOL_ROUNDS, historyBudgetTokens: n.HISTORY_BUDGET_TOKENS, maxStoredBytes: n.THREAD_MAX_STORED_BYTES },
    files: { maxFileBytes: n.FILE_MAX_BYTES, maxQuestionBytes: n.QUESTION_FILES_MAX_BYTES },
    answerAsFileChars: n.ANSWER_AS_FILE_CHARS,
    uploadMaxBytes: n.UPLOAD_MAX_BYTES,
    toolTextAsFileChars: n.TOOL_TEXT_AS_FILE_CHARS,
    oauth: { publicUrl: (publicUrl ?? `http://localhost:${n.PORT}`).replace(/\/+$/, ''), ...(key ? { key } : {}) },
    logLevel: n.LOG_LEVEL,
    observe: { metrics: n.METRICS_PORT, ...(otlp ? { otlpEndpoint: otlp } : {}), captureContent: n.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT },
  };
}

/** The secrets in a config, for the logger's last line of defence. */
export function secretsOf(config: Config): string[] {
  return [config.slack?.botToken, config.slack?.appToken, config.slack?.signingSecret, config.anthropic.apiKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

/** STORE_URL is checked here, with the rest, not when the store opens after the servers started. */
function storeUrlProblems(url: string): string[] {
  try {
    parseStoreUrl(url);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** The kind of a STORE_URL, or undefined when it is not one (storeUrlProblems says so). */
function parseableKind(url: string): string | undefined {
  try {
    return parseStoreUrl(url).kind;
  } catch {
    return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
