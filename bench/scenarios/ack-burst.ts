// Ack latency under a burst: 40 @mentions in 40 new threads, sent at once, ROUNDS times. Slack
// redelivers an event whose ack takes more than 3 s, so this is the number that must stay small
// however busy the bot is. Measured twice: from the bot's own thread (the harness way: the client
// shares the event loop with the bot) and from a worker thread (a client the bot cannot slow down).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { reply } from '../../test/fakes/anthropic.js';
import { withBenchBot, type BenchBot } from '../lib/bench-bot.js';
import { fireHere, signedEvent, startWorkerClient, type TimedResponse } from '../lib/burst-client.js';
import { summarize } from '../lib/stats.js';
import { atMost, type Row, type Scenario } from '../lib/types.js';

const THREADS = 40;
const ROUNDS = 5;
const ANSWER_TIMEOUT_MS = 30_000;

interface Series {
  samples: number[];
  slowestPerRound: number[];
  /** Burst sent -> the last of its chat.stopStream calls arrived. */
  allAnsweredPerRound: number[];
  /** Longest stall of the bot's event loop while the burst's acks were awaited. */
  loopStallPerRound: number[];
  failures: string[];
}

export const ackBurst: Scenario = {
  id: 'ack-burst',
  method:
    `${ROUNDS} rounds of ${THREADS} signed app_mention POSTs to /slack/events fired together (Promise.all), each in a new ` +
    'thread; per request, the time from the send to the HTTP response (headers) at the client. The model answers at once with a ' +
    'short streamed text. Between bursts the bench waits for every answer (chat.stopStream, the last call of a turn), so ' +
    'turns never overlap bursts. Two clients, their bursts alternating: one in the bot\'s own thread with fetch (as the test harness ' +
    'sends; it shares the event loop with the bot and both fakes; fetch keeps its connections between bursts) and one in a worker ' +
    'thread with its own loop and node:http, new connections for each burst (closer to Slack, whose requests are not held up by ' +
    'the bot\'s work). One untimed mention first warms the bot up. The issue\'s target (p99 <= 10 ms) and Slack\'s (an ack ' +
    'later than 3 s is redelivered) are both shown. The notes give the slowest ack of each burst and the longest stall of the main event loop (bot and fakes) ' +
    'while that burst was acked (perf_hooks.monitorEventLoopDelay, 5 ms resolution), and when the burst\'s last chat.stopStream ' +
    'arrived, counted from the send.',
  async run(ctx) {
    return withBenchBot({ script: () => reply.text('A short answer.') }, async (bot) => {
      const worker = startWorkerClient();
      try {
        await bot.sendTimed(bot.mentionEnvelope('CWARM0001', 'warm'));
        let answers = 1;
        await waitForAnswers(bot, answers);

        const here: Series = { samples: [], slowestPerRound: [], allAnsweredPerRound: [], loopStallPerRound: [], failures: [] };
        const inWorker: Series = { samples: [], slowestPerRound: [], allAnsweredPerRound: [], loopStallPerRound: [], failures: [] };
        const logBefore = bot.h.logLines.length;
        const logBytesBefore = totalChars(bot.h.logLines);
        for (let round = 1; round <= ROUNDS; round++) {
          for (const [name, series] of [['here', here], ['worker', inWorker]] as const) {
            const requests = Array.from({ length: THREADS }, (_, i) =>
              signedEvent(`${bot.h.url}/slack/events`, bot.mentionEnvelope(`CB${name.toUpperCase()}${String(i).padStart(3, '0')}`, `burst-${name}-${round}-${i}`)),
            );
            const stopsBefore = bot.h.slack.calls('chat.stopStream').length;
            const burstAt = Date.now();
            const loop = monitorEventLoopDelay({ resolution: 5 });
            loop.enable();
            const results = name === 'here' ? await fireHere(requests) : await worker.fire(requests, ANSWER_TIMEOUT_MS);
            loop.disable();
            record(series, results, loop.max / 1e6);
            answers += THREADS;
            await waitForAnswers(bot, answers);
            const stops = bot.h.slack.calls('chat.stopStream').slice(stopsBefore);
            series.allAnsweredPerRound.push(Math.max(...stops.map((call) => call.at)) - burstAt);
            ctx.log(`ack-burst: round ${round}/${ROUNDS}, ${name}: slowest ack ${series.slowestPerRound.at(-1)?.toFixed(1)} ms`);
          }
        }
        const turns = 2 * ROUNDS * THREADS;
        const logKb = (totalChars(bot.h.logLines) - logBytesBefore) / turns / 1024;
        const logLines = Math.round((bot.h.logLines.length - logBefore) / turns);
        const rejected = bot.h.anthropic.rejections.length;
        const extra = `harness log ${logLines} lines, ${logKb.toFixed(1)} KB per turn` + (rejected > 0 ? `; ${rejected} model requests rejected` : '');
        return [
          row(`ack latency, ${THREADS} mentions at once, client in the bot's thread`, here, extra),
          row(`ack latency, ${THREADS} mentions at once, client in a worker thread`, inWorker),
        ];
      } finally {
        await worker.close();
      }
    });
  },
};

function record(series: Series, results: TimedResponse[], loopStallMs: number): void {
  series.loopStallPerRound.push(loopStallMs);
  for (const result of results) {
    series.samples.push(result.ms);
    if (result.status !== 200) series.failures.push(result.error ?? `HTTP ${result.status}`);
  }
  series.slowestPerRound.push(Math.max(...results.map((r) => r.ms)));
}

function row(measurement: string, series: Series, extra?: string): Row {
  const s = summarize(series.samples);
  const notes = [
    `slowest per burst: ${series.slowestPerRound.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    `longest event-loop stall per burst: ${series.loopStallPerRound.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    `all ${THREADS} answered (last chat.stopStream) after: ${series.allAnsweredPerRound.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  ];
  if (series.failures.length > 0) notes.push(`${series.failures.length} not 200 (${series.failures[0]})`);
  if (extra) notes.push(extra);
  const out: Row = { measurement, unit: 'ms', n: s.n, p50: s.p50, p99: s.p99, max: s.max, notes: notes.join('; ') };
  out.targets = [atMost(out, 'p99', 10, 'issue'), atMost(out, 'max', 3000, 'Slack retries')];
  return out;
}

async function waitForAnswers(bot: BenchBot, count: number): Promise<void> {
  await bot.waitForCalls('chat.stopStream', count, ANSWER_TIMEOUT_MS);
}

function totalChars(lines: string[]): number {
  return lines.reduce((sum, line) => sum + line.length, 0);
}
