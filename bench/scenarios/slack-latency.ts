// The same turns with a fake Slack API that takes 100 ms per call (real Slack is in that range):
// which Slack calls does a turn wait for? The model request and chat.stopStream move by whole
// round trips when the bot awaits Slack calls on the way.
import { withBenchBot } from '../lib/bench-bot.js';
import { toolScript } from '../lib/scripts.js';
import { summarize } from '../lib/stats.js';
import { timedTurn } from '../lib/turn.js';
import { atMost, type Row, type Scenario } from '../lib/types.js';

const SLACK_LATENCY_MS = 100;
const TOOL_COUNTS = [0, 3];
const TURNS = 5;
const ANSWER_TIMEOUT_MS = 20_000;

export const slackLatency: Scenario = {
  id: 'slack-latency',
  method:
    `The own-time turns (0 and 3 echo calls, ${TURNS} each, taking turns, one untimed turn of each first) with the fake Slack API ` +
    `answering every call after ${SLACK_LATENCY_MS} ms. "Event to model request" is from the send of the event to the arrival of ` +
    'the first Messages request at the model tap; "turn" is from the send to chat.stopStream. Model and tools take a few ms here, ' +
    'so the rest is mostly Slack round trips the bot waits for one after another. "First visible words" is as in first-words, from ' +
    'the first text delta of the turn\'s last model call (the one after the tool results).',
  async run(ctx) {
    return withBenchBot({ script: toolScript }, async (bot) => {
      bot.h.slack.setLatency(SLACK_LATENCY_MS);
      const toModel: number[] = [];
      const turns = new Map<number, { turn: number[]; slackCalls: number[]; rest: number[]; words: number[]; queued: number[]; queuedMethods: string[][] }>(
        TOOL_COUNTS.map((n) => [n, { turn: [], slackCalls: [], rest: [], words: [], queued: [], queuedMethods: [] }]),
      );
      for (let turn = -1; turn < TURNS; turn++) {
        for (const tools of TOOL_COUNTS) {
          const id = turn < 0 ? 'warm' : String(turn);
          const t = await timedTurn(bot, `CLAT${tools}X${id.toUpperCase()}`, `lat-tools${tools}-${id}`, ANSWER_TIMEOUT_MS, SLACK_LATENCY_MS);
          if (turn < 0) continue;
          if (t.toolMs.length !== tools) throw new Error(`slack-latency: ${tools} tools: the log shows ${t.toolMs.length} tool calls`);
          toModel.push(t.toModelMs);
          const s = turns.get(tools);
          s?.turn.push(t.turnMs);
          s?.slackCalls.push(t.slackCalls);
          s?.rest.push(t.turnMs - t.modelMs - Math.max(0, ...t.toolMs));
          if (t.textAfterModelMs !== undefined) s?.words.push(t.textAfterModelMs);
          s?.queued.push(t.queuedBeforeText.length);
          s?.queuedMethods.push(t.queuedBeforeText);
        }
      }
      const m = summarize(toModel);
      ctx.log(`slack-latency: event to model request ${m.p50} ms`);
      const rows: Row[] = [
        {
          measurement: `event to model request, Slack calls taking ${SLACK_LATENCY_MS} ms`,
          unit: 'ms',
          n: m.n,
          p50: m.p50,
          max: m.max,
          notes: 'compare "event to model request" in the own-time rows (Slack answering at once)',
        },
      ];
      for (const tools of TOOL_COUNTS) {
        const s = turns.get(tools);
        if (!s) continue;
        const t = summarize(s.turn);
        rows.push({
          measurement: `turn (event to chat.stopStream), ${tools} tool call${tools === 1 ? '' : 's'}, Slack calls taking ${SLACK_LATENCY_MS} ms`,
          unit: 'ms',
          n: t.n,
          p50: t.p50,
          max: t.max,
          notes: `${summarize(s.slackCalls).p50} Slack calls by chat.stopStream; median ${summarize(s.rest).p50} ms not model or tools`,
        });
        const w = summarize(s.words);
        const q = summarize(s.queued);
        const example = s.queuedMethods.find((methods) => methods.length === q.p50) ?? [];
        const words: Row = {
          measurement: `first visible words after the model starts streaming, ${tools} tool call${tools === 1 ? '' : 's'} before, Slack calls taking ${SLACK_LATENCY_MS} ms`,
          unit: 'ms',
          n: w.n,
          p50: w.p50,
          max: w.max,
          notes:
            'from the first text delta of the turn\'s last model call; tools and model answer at once here; the first words queued ' +
            `behind a median ${q.p50} Slack calls of the thread (in flight at the delta or sent after it, one after another)` +
            (example.length > 0 ? `: ${example.join(', ')}` : ''),
        };
        words.targets = [atMost(words, 'max', 600, "issue's first-words target")];
        rows.push(words);
      }
      return rows;
    });
  },
};
