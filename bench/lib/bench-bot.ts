// The real bot for a benchmark: test/helpers/bot-harness.ts (startBot: Bolt over HTTP, real MCP
// servers, the real sqlite store) against the fake Slack Web API and the fake Anthropic API, with
// the model tap between the bot and the fake model. Every wait here has a deadline, so a bench that
// goes wrong ends with an error instead of hanging.
import { performance } from 'node:perf_hooks';
import type { MessagesRequest, Script } from '../../test/fakes/anthropic.js';
import { startFakeAnthropic } from '../../test/fakes/anthropic.js';
import { startFakeSlackApi, type RecordedCall } from '../../test/fakes/slack-api.js';
import { startHarness, type Harness, type HarnessOptions } from '../../test/helpers/bot-harness.js';
import { appMention, nextTs, type EventEnvelope } from '../../test/helpers/sign.js';
import { startModelTap, type ModelTap } from './model-tap.js';

export const BOT_USER = 'U0FAKEBOT1';
export const ASKER = 'U0BENCH001';

export interface BenchBot {
  h: Harness;
  tap: ModelTap;
  /** A signed-ready app_mention in a new thread of `channel`, tagged so the tap and script know it. */
  mentionEnvelope(channel: string, tag: string, question?: string): EventEnvelope;
  /** Sends one event; resolves with the time from send to the HTTP response (performance.now() ms). */
  sendTimed(envelope: EventEnvelope): Promise<{ status: number; ms: number; sentAt: number }>;
  /** Waits until `count` answered Slack calls match (a method name or a predicate). */
  waitForCalls(match: string | ((call: RecordedCall) => boolean), count: number, timeoutMs: number): Promise<RecordedCall[]>;
  /** The bot's last warn/error log lines, to explain a failed run. */
  problems(limit?: number): string[];
  stop(): Promise<void>;
}

export interface BenchBotOptions {
  script: Script;
  servers?: HarnessOptions['servers'];
  /** Default: BENCH_STORE_URL if set (memory://, redis://...), else the harness's fresh sqlite file. */
  storeUrl?: string;
  /** More environment for the bot (e.g. HISTORY_BUDGET_TOKENS). */
  env?: Record<string, string>;
}

export async function startBenchBot(options: BenchBotOptions): Promise<BenchBot> {
  const storeUrl = options.storeUrl ?? process.env.BENCH_STORE_URL;
  const slack = await startFakeSlackApi();
  const anthropic = await startFakeAnthropic({ script: options.script });
  const tap = await startModelTap(anthropic.url);
  let h: Harness;
  try {
    h = await startHarness({
      fakes: { slack, anthropic },
      ...(options.servers ? { servers: options.servers } : {}),
      ...(storeUrl ? { storeUrl } : {}),
      env: { ...options.env, ANTHROPIC_BASE_URL: tap.url },
    });
  } catch (error) {
    await Promise.allSettled([slack.close(), anthropic.close(), tap.close()]);
    throw error;
  }

  const matches = (match: string | ((call: RecordedCall) => boolean)) =>
    typeof match === 'string' ? (call: RecordedCall) => call.method === match : match;
  const answered = (predicate: (call: RecordedCall) => boolean) => slack.calls().filter((call) => call.status !== undefined && predicate(call));

  return {
    h,
    tap,
    mentionEnvelope(channel, tag, question = 'a question') {
      return appMention({ channel, user: ASKER, text: `<@${BOT_USER}> [bench:${tag}] ${question}`, ts: nextTs() });
    },
    async sendTimed(envelope) {
      const sentAt = Date.now();
      const started = performance.now();
      const response = await h.send(envelope);
      const ms = performance.now() - started;
      await response.arrayBuffer(); // frees the connection for reuse
      return { status: response.status, ms, sentAt };
    },
    async waitForCalls(match, count, timeoutMs) {
      const predicate = matches(match);
      await slack.waitUntil(() => answered(predicate).length >= count, timeoutMs);
      return answered(predicate);
    },
    problems(limit = 8) {
      return h.logLines.filter((line) => /"level":"(warn|error)"/.test(line)).slice(-limit);
    },
    async stop() {
      await h.stop().catch(() => {});
      await tap.close();
    },
  };
}

/**
 * Starts the bot, checks that every MCP server is up (/healthz), runs `body`, stops the bot. A
 * failure carries the bot's last warnings and errors.
 */
export async function withBenchBot<T>(options: BenchBotOptions, body: (bot: BenchBot) => Promise<T>): Promise<T> {
  const bot = await startBenchBot(options);
  try {
    const health = (await (await fetch(`${bot.h.url}/healthz`)).json()) as { servers?: { name: string; state: string; lastError?: string }[] };
    const down = (health.servers ?? []).filter((server) => server.state !== 'up');
    if (down.length > 0) throw new Error(`MCP server(s) not up: ${down.map((s) => `${s.name} ${s.state} ${s.lastError ?? ''}`).join('; ')}`);
    return await body(bot);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const problems = bot.problems();
    throw new Error(problems.length > 0 ? `${message}\n  bot warnings/errors:\n  ${problems.join('\n  ')}` : message, { cause: error });
  } finally {
    await bot.stop();
  }
}

/** The bench tag of a Messages request: from the first [bench:...] in its first user message. */
export function tagOf(request: MessagesRequest): string | undefined {
  const first = request.messages.find((m) => m.role === 'user');
  if (!first) return undefined;
  const text = typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
  return /\[bench:([^\]\s]+)\]/.exec(text)?.[1];
}

/** True when the request's last message carries tool results (the model is asked to go on). */
export function afterToolResults(request: MessagesRequest): boolean {
  const last = request.messages.at(-1);
  return last?.role === 'user' && Array.isArray(last.content) && last.content.some((block) => block.type === 'tool_result');
}

/** Does this Slack call put answer text on screen (markdown_text, or a markdown_text chunk)? */
export function carriesText(call: RecordedCall): boolean {
  if (!['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'chat.postMessage', 'chat.update'].includes(call.method)) return false;
  if (typeof call.body.markdown_text === 'string' && call.body.markdown_text.length > 0) return true;
  const chunks = call.body.chunks;
  return (
    Array.isArray(chunks) &&
    chunks.some((chunk: unknown) => {
      const c = chunk as { type?: unknown; text?: unknown };
      return c.type === 'markdown_text' && typeof c.text === 'string' && c.text.length > 0;
    })
  );
}

