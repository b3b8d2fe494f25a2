// The bot's own time per turn: event to chat.stopStream, minus what the fake model spent answering
// and minus the tool calls, for answers with 0, 1 and 3 tool calls (server-everything's echo, all
// in one response, run in parallel). The three kinds of turn take turns, so none of them gets a
// colder or warmer process than the others.
import { withBenchBot, type BenchBot } from '../lib/bench-bot.js';
import { toolScript } from '../lib/scripts.js';
import { summarize } from '../lib/stats.js';
import { timedTurn } from '../lib/turn.js';
import { atMost, type Row, type Scenario } from '../lib/types.js';

const TOOL_COUNTS = [0, 1, 3];
const MEMORY_TOOL_COUNTS = [0, 1];
const TURNS = 10;
const ANSWER_TIMEOUT_MS = 20_000;

interface Samples {
  own: number[];
  turn: number[];
  toModel: number[];
  model: number[];
  tools: number[];
  slackCalls: number[];
}

export const ownTime: Scenario = {
  id: 'own-time',
  method:
    `For 0, 1 and 3 tool calls (everything__echo, all in one model response), ${TURNS} turns each, one at a time, each in a new ` +
    'thread, the three kinds taking turns, after one untimed turn of each. Turn time is from the send of the event to the arrival ' +
    'of chat.stopStream at the fake Slack API; minus model time (the sum, over the turn\'s Messages calls, of arrival to end of ' +
    'response at the model tap: the fake answers without delay, so this is its own parsing, checking and rendering) and minus ' +
    'tool time (the slowest call of the round, from the MCP hub\'s "tool call" log line; the calls run in parallel). What is left ' +
    'is the bot: Bolt, dedupe and history in the store, Slack calls (to a fake that answers at once), the SDK, the MCP client. ' +
    'The last rows repeat the 0- and 1-tool turns on a bot with STORE_URL=memory:// (left out when BENCH_STORE_URL is set): the ' +
    'difference is what the sqlite store costs a turn. The issue\'s target (<= 20 ms) is for the 1-tool turn, judged on the median.',
  async run(ctx) {
    const rows: Row[] = [];
    const store = process.env.BENCH_STORE_URL;
    const main = await withBenchBot({ script: toolScript }, (bot) => measure(bot, TOOL_COUNTS, 'own'));
    for (const tools of TOOL_COUNTS) {
      const s = main.get(tools);
      if (!s) continue;
      const row = toRow(`bot's own time per turn, ${tools} tool call${tools === 1 ? '' : 's'}`, s);
      if (tools === 1) row.targets = [atMost(row, 'p50', 20, 'issue')];
      rows.push(row);
      ctx.log(`own-time: ${tools} tool call(s): median ${summarize(s.own).p50} ms of bot time`);
    }
    // The same 0- and 1-tool turns on the in-memory store, to show what the store's writes cost.
    if (store === undefined) {
      const memory = await withBenchBot({ script: toolScript, storeUrl: 'memory://' }, (bot) => measure(bot, MEMORY_TOOL_COUNTS, 'mem'));
      for (const tools of MEMORY_TOOL_COUNTS) {
        const s = memory.get(tools);
        if (s) rows.push(toRow(`bot's own time per turn, ${tools} tool call${tools === 1 ? '' : 's'}, memory:// store`, s));
      }
    }
    return rows;
  },
};

/** TURNS turns of each tool count, the counts taking turns, after one untimed turn of each. */
async function measure(bot: BenchBot, toolCounts: number[], prefix: string): Promise<Map<number, Samples>> {
  const samples = new Map<number, Samples>(toolCounts.map((n) => [n, { own: [], turn: [], toModel: [], model: [], tools: [], slackCalls: [] }]));
  for (let turn = -1; turn < TURNS; turn++) {
    for (const tools of toolCounts) {
      const id = turn < 0 ? 'warm' : String(turn);
      const t = await timedTurn(bot, `C${prefix.toUpperCase()}${tools}X${id.toUpperCase()}`, `${prefix}-tools${tools}-${id}`, ANSWER_TIMEOUT_MS);
      if (turn < 0) continue;
      if (t.modelCalls.length !== (tools === 0 ? 1 : 2) || t.toolMs.length !== tools) {
        throw new Error(`own-time: ${tools} tools: saw ${t.modelCalls.length} model calls and ${t.toolMs.length} tool calls`);
      }
      const slowestTool = Math.max(0, ...t.toolMs);
      const s = samples.get(tools);
      s?.own.push(t.turnMs - t.modelMs - slowestTool);
      s?.turn.push(t.turnMs);
      s?.toModel.push(t.toModelMs);
      s?.model.push(t.modelMs);
      s?.tools.push(slowestTool);
      s?.slackCalls.push(t.slackCalls);
    }
  }
  return samples;
}

function toRow(measurement: string, s: Samples): Row {
  const own = summarize(s.own);
  const p50 = (values: number[]) => summarize(values).p50;
  return {
    measurement,
    unit: 'ms',
    n: own.n,
    p50: own.p50,
    max: own.max,
    notes:
      `medians: turn ${p50(s.turn)} ms (model ${p50(s.model)}, tools ${p50(s.tools)}); event to model request ${p50(s.toModel)} ms; ` +
      `${p50(s.slackCalls)} Slack calls by chat.stopStream`,
  };
}
