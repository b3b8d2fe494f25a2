// How big is the request the bot sends Claude as one thread grows? 200 turns in one thread, each a
// sizable exchange (a long question, one echo call with a large result, a long answer), with a
// small HISTORY_BUDGET_TOKENS so that trimming to the budget (and the "large answered tool result ->
// short note" rule) has to work long before turn 200. Sizes are what the fake Anthropic API received.
import type Anthropic from '@anthropic-ai/sdk';
import { estimateTranscriptTokens } from '../../src/agent/tokens.js';
import { openStore } from '../../src/store.js';
import { reply, type MessagesRequest } from '../../test/fakes/anthropic.js';
import { countRequestTokens } from '../../test/fakes/anthropic-tokens.js';
import type { RecordedCall } from '../../test/fakes/slack-api.js';
import { appMention, DEFAULT_TEAM_ID, nextTs } from '../../test/helpers/sign.js';
import { afterToolResults, ASKER, BOT_USER, tagOf, withBenchBot, type BenchBot } from '../lib/bench-bot.js';
import type { TappedCall } from '../lib/model-tap.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';

const TURNS = 200;
const REPORTED = [1, 50, 200];
const BUDGET = 20_000;
const TAG = 'reqsize';
const CHANNEL = 'CREQSIZE1';
const TURN_TIMEOUT_MS = 20_000;
const ELIDED = /^\[This tool result \(/;

const repeat = (sentence: string, chars: number) => {
  let out = '';
  for (let i = 1; out.length < chars; i++) out += `${sentence} (${i}) `;
  return out.slice(0, chars).trim();
};
const QUESTION = repeat('Here is some more context for the question, the kind people paste into a thread', 800);
const ECHO_MESSAGE = repeat('A line of a large tool result, such as a log excerpt or a search hit', 5000);
const ANSWER = repeat('A sentence of a long answer that explains what the tool found and what to do next', 2000);

interface TurnCall {
  bytes: number;
  historyTokens: number;
  requestTokens: number;
  questions: number;
  messages: number;
  elided: number;
  fullResults: number;
  usage: TappedCall['usage'];
}

export const requestSize: Scenario = {
  id: 'request-size',
  method:
    `One thread, ${TURNS} turns one after another (the first an @mention, the rest @mentions in its thread), on a bot with ` +
    `HISTORY_BUDGET_TOKENS=${BUDGET}. Every turn is sizable: a ${QUESTION.length}-character question; the model first asks for ` +
    `one everything__echo call with a ${ECHO_MESSAGE.length}-character message (so the tool result is as large, over the 4,000 ` +
    `characters above which an answered result is sent as a short note in later turns), then answers in ${ANSWER.length} ` +
    'characters. So each turn holds two Messages calls. For turns ' +
    `${REPORTED.join(', ')}: the size of each request body as the model tap received it (the max column is the larger, the ` +
    "answer round's), and from the request the fake received: the history's tokens by the bot's own estimator " +
    "(src/agent/tokens.ts, what the budget is checked against), the whole request's tokens by the fake's count (system and tool " +
    'definitions too, which the budget does not cover), how many turns were sent, how many tool results went as a note, and what ' +
    'the prompt cache read. The target is met when no request of turn 200 sends more history than the budget.',
  async run(ctx) {
    return withBenchBot(
      {
        env: { HISTORY_BUDGET_TOKENS: String(BUDGET) },
        script: (request) => {
          if (tagOf(request) !== TAG) return reply.text('Warm.');
          if (afterToolResults(request)) return reply.text(ANSWER);
          return reply.tools([{ name: 'everything__echo', input: { message: ECHO_MESSAGE } }]);
        },
      },
      async (bot) => {
        const store = bot.h.storeUrl.startsWith('memory:') ? undefined : await openStore(bot.h.storeUrl);
        try {
          const root = nextTs();
          const key = `conversation:${DEFAULT_TEAM_ID}:${CHANNEL}:${root}`;
          const turnMs: number[] = [];
          const storedBytes = new Map<number, number>();
          const started = Date.now();
          for (let turn = 1; turn <= TURNS; turn++) {
            const text = `<@${BOT_USER}> [bench:${TAG}] Turn ${turn}. ${QUESTION}`;
            const envelope = appMention(turn === 1 ? { channel: CHANNEL, user: ASKER, text, ts: root } : { channel: CHANNEL, user: ASKER, text, ts: nextTs(), thread_ts: root });
            const { sentAt } = await bot.sendTimed(envelope);
            const stop = await untilClosed(bot, turn);
            turnMs.push(stop.at - sentAt);
            if (REPORTED.includes(turn) && store) storedBytes.set(turn, JSON.stringify((await store.get(key)) ?? null).length);
            if (turn % 50 === 0) ctx.log(`request-size: turn ${turn}/${TURNS} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
          }
          const requests = bot.h.anthropic.calls.filter((request) => tagOf(request) === TAG);
          const tapped = bot.tap.messagesFor(TAG);
          if (requests.length !== 2 * TURNS || tapped.length !== 2 * TURNS) {
            throw new Error(`request-size: expected ${2 * TURNS} Messages calls, the fake has ${requests.length} and the tap ${tapped.length}`);
          }
          const calls = requests.map((request, i) => describe(request, tapped[i]));
          return toRows(calls, turnMs, storedBytes);
        } finally {
          await store?.disconnect();
        }
      },
    );
  },
};

/** Waits until the turn-th answer of the thread is closed; returns its chat.stopStream. */
async function untilClosed(bot: BenchBot, turn: number): Promise<RecordedCall> {
  const inThread = (call: RecordedCall) => call.body.channel === CHANNEL || call.body.channel_id === CHANNEL;
  const count = (predicate: (call: RecordedCall) => boolean) => bot.h.slack.calls().filter((c) => c.status !== undefined && inThread(c) && predicate(c)).length;
  await bot.h.slack.waitUntil(() => count((c) => c.method === 'chat.stopStream') >= turn, TURN_TIMEOUT_MS);
  const stops = bot.h.slack.calls('chat.stopStream').filter(inThread);
  const stop = stops[turn - 1];
  if (!stop) throw new Error(`request-size: no chat.stopStream for turn ${turn}`);
  return stop;
}

function describe(request: MessagesRequest, tap: TappedCall | undefined): TurnCall {
  const messages = request.messages;
  let questions = 0;
  let elided = 0;
  let fullResults = 0;
  for (const message of messages) {
    if (message.role !== 'user') continue;
    const blocks: Anthropic.ContentBlockParam[] = typeof message.content === 'string' ? [] : message.content;
    const results = blocks.filter((b): b is Anthropic.ToolResultBlockParam => b.type === 'tool_result');
    if (results.length === 0) questions++;
    for (const result of results) {
      const first = Array.isArray(result.content) ? result.content[0] : undefined;
      if (first?.type === 'text' && ELIDED.test(first.text)) elided++;
      else fullResults++;
    }
  }
  return {
    bytes: tap?.requestBytes ?? Number.NaN,
    historyTokens: estimateTranscriptTokens(messages),
    requestTokens: countRequestTokens(request),
    questions,
    messages: messages.length,
    elided,
    fullResults,
    usage: tap?.usage,
  };
}

function toRows(calls: TurnCall[], turnMs: number[], storedBytes: Map<number, number>): Row[] {
  const KiB = 1024;
  const ofTurn = (turn: number) => [calls[2 * (turn - 1)], calls[2 * (turn - 1) + 1]].filter((c): c is TurnCall => c !== undefined);
  const rows: Row[] = [];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  for (const turn of REPORTED) {
    const pair = ofTurn(turn);
    const answerCall = pair[1];
    const bytes = summarize(pair.map((c) => c.bytes / KiB));
    const stored = storedBytes.get(turn);
    const usages = pair.map((c) => c.usage);
    rows.push({
      measurement: `Messages request body at turn ${turn} of one thread (HISTORY_BUDGET_TOKENS=${fmt(BUDGET)})`,
      unit: 'KB',
      n: bytes.n,
      p50: bytes.p50,
      max: bytes.max,
      notes:
        `history sent ${pair.map((c) => fmt(c.historyTokens)).join(' / ')} estimated tokens (tool round / answer round) of the ` +
        `${fmt(BUDGET)} budget; whole request ${pair.map((c) => fmt(c.requestTokens)).join(' / ')} tokens by the fake's count; ` +
        `${pair.map((c) => c.questions).join(' / ')} of ${turn} turns sent (${pair.map((c) => c.messages).join(' / ')} messages), ${answerCall?.elided ?? 0} ` +
        `answered tool results sent as a note, ${answerCall?.fullResults ?? 0} in full` +
        (usages.every((u) => u !== undefined)
          ? `; prompt cache (fake's rules) read ${usages.map((u) => fmt(u?.cacheReadTokens ?? 0)).join(' / ')}, wrote ` +
            `${usages.map((u) => fmt(u?.cacheWriteTokens ?? 0)).join(' / ')} tokens`
          : '') +
        `; turn took ${turnMs[turn - 1] ?? Number.NaN} ms` +
        (stored !== undefined ? `; stored transcript ${(stored / KiB).toFixed(0)} KB` : ''),
    });
  }
  const last = ofTurn(TURNS);
  const tokens = summarize(last.map((c) => c.historyTokens));
  const trimmedFrom = calls.findIndex((c, i) => i % 2 === 1 && c.questions < (i + 1) / 2);
  const overall = Math.max(...calls.map((c) => c.historyTokens));
  const over = calls.filter((c) => c.historyTokens > BUDGET).length;
  const row: Row = {
    measurement: `history sent at turn ${TURNS}, estimated tokens (HISTORY_BUDGET_TOKENS=${fmt(BUDGET)})`,
    unit: 'tokens',
    n: tokens.n,
    p50: tokens.p50,
    max: tokens.max,
    notes:
      `the bot's own estimate (~4 characters a token), what the budget is checked against; trimming first dropped a turn at turn ` +
      `${trimmedFrom >= 0 ? (trimmedFrom + 1) / 2 : 'never'}; the largest history of all ${calls.length} requests was ${fmt(overall)} ` +
      `tokens, ${over} above the budget; turn time p50 ${summarize(turnMs).p50} ms, max ${summarize(turnMs).max} ms over the ${TURNS} turns`,
  };
  row.targets = [{ text: `max <= ${fmt(BUDGET)} tokens (the budget; issue: within it at turn ${TURNS})`, met: Number.isFinite(tokens.max) ? tokens.max <= BUDGET : undefined }];
  rows.push(row);
  return rows;
}
