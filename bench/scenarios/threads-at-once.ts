// N mentions in N new threads at once, with a model that takes 1 s to answer (a streamed text over
// 1000 ms): how long until every thread has its answer (wall), and how much memory the bot needs for
// it (peak RSS)? The same rounds then run against the naive port (bench/naive/), and the side-by-side
// table gets both. Each program runs in a child process of its own (bench/lib/child-bot.ts,
// LOG_LEVEL=warn), so its RSS and CPU are its own; the fakes and the client are in the bench process.
import { reply } from '../../test/fakes/anthropic.js';
import { appMention, nextTs } from '../../test/helpers/sign.js';
import { ASKER, BOT_USER, tagOf } from '../lib/bench-bot.js';
import { signedEvent, startWorkerClient, type TimedResponse, type WorkerClient } from '../lib/burst-client.js';
import { startChildBot, type ChildBot, type ProbeStats } from '../lib/child-bot.js';
import { BOT, channelOf, PROGRAMS, type Program, type ProgramId } from '../lib/programs.js';
import { summarize } from '../lib/stats.js';
import { atMost, type Row, type Scenario, type ScenarioContext } from '../lib/types.js';

const SIZES = [40, 500];
const ROUNDS = 5;
const MODEL = { chunks: 10, durationMs: 1000 };
const SAMPLE_MS = 20;
const WARM_BURST = 50;
const GC_EVERY_MS = 250;
const ROUND_TIMEOUT_MS = 60_000;
const MiB = 1024 * 1024;
const ANSWER = Array.from({ length: 6 }, (_, i) => `Part ${i + 1} of a short answer, streamed over one second.`).join(' ');

interface RoundResult {
  acks: TimedResponse[];
  wallMs: number;
  /** Largest VmRSS sampled every SAMPLE_MS from the send to the last closing call. */
  peakRss: number;
  /** Bot CPU (user + system, all threads) from the send to the end of the round, and during the acks only, ms. */
  cpuMs: number;
  ackCpuMs: number;
  /** Of cpuMs: the main thread (the event loop), from /proc (10 ms resolution). */
  mainThreadMs: number;
  /** Longest event-loop stall of the bot while the acks were awaited, and over the whole round. */
  ackLoopMaxMs: number;
  loopMaxMs: number;
  heapUsedMax: number;
  newSpaceAtMax: number;
  oldSpaceAtMax: number;
  externalMax: number;
  /** Largest heapUsed right after a forced full GC (the diagnostic round only; 0 otherwise). */
  liveMax: number;
  /** Slack Web API calls the fake received, per thread, and by method ("chat.startStream 1, ..."). */
  slackCallsPerThread: number;
  slackMethods: string;
  /** Bench process CPU over the round (fakes, tap, sampler), ms. */
  benchCpuMs: number;
  /** Per thread: event sent -> model request at the tap; model request -> model response end; end -> chat.stopStream. */
  toModel: number[];
  model: number[];
  afterModel: number[];
  /** Send -> the last thread's model request arrived at the tap. */
  lastModelStartMs: number;
  rejected: number;
  /** Threads closed without a finished model call and a chat.stopStream, described. */
  unanswered: string[];
}

export const threadsAtOnce: Scenario = {
  id: 'threads-at-once',
  method:
    `For N = ${SIZES.join(' and N = ')}: the bot runs as \`npm start\` runs it (src/ compiled by tsc into a temporary folder, then ` +
    '`node dist/main.js`) in a child process of its own, with LOG_LEVEL=warn, a fresh sqlite store and server-everything as its MCP ' +
    'server; the fake Slack API, the fake model and the model tap run in the bench process, on the same 2 cores. After one untimed ' +
    `mention and one untimed burst of ${WARM_BURST} threads, ${ROUNDS} rounds: N signed app_mention POSTs, each in a new thread, fired ` +
    'at once, each from a different user, from a worker thread (node:http, new connections per burst); the fake model answers ' +
    'each with a ' +
    `${ANSWER.length}-character text streamed in ${MODEL.chunks} deltas over ${MODEL.durationMs} ms. Wall time is from the send to ` +
    'the arrival of the last chat.stopStream at the fake Slack API (p50 of the rounds is judged); a round ends when every thread has ' +
    'its closing call (chat.stopStream, the last of a turn). Peak RSS: VmRSS of the bot process from /proc/<pid>/status, sampled ' +
    `every ${SAMPLE_MS} ms during each round (p50 column: median of the rounds' peaks), and VmHWM, the kernel's own peak since the ` +
    'process started (max column, judged). MB are 2^20 bytes. The MCP server is a process of its own and not counted. A probe ' +
    'loaded into the bot with --import gives its CPU time (all threads; the main thread from /proc/<pid>/task), event-loop stalls ' +
    `and heap; an extra untimed round forces a full GC every ${GC_EVERY_MS} ms to show how much of the heap is live. The notes split ` +
    "each thread's time into event -> model request (at the tap), the model call, and model end -> chat.stopStream. The ack rows " +
    'time each POST from send to HTTP response at the worker. BENCH_BOT_RUNNER=tsx runs src/main.ts through tsx instead. ' +
    'For each N the same rounds then run against the naive port (bench/naive/main.ts, built by tsc the same way, the same ' +
    'env, fakes and MCP server; it answers with one chat.postMessage, so its wall time ends at that call and its thread is closed ' +
    'by it; the fake model answers it without streaming, after the same 1000 ms).',
  async run(ctx) {
    const rows: Row[] = [];
    for (const n of SIZES) {
      // The two programs one after the other for each N, so both meet about the same neighbours.
      const figures = new Map<ProgramId, Figures>();
      for (const program of PROGRAMS) {
        const build = await ctx.build(program);
        const bot = await startChildBot({
          program,
          script: (request) => (tagOf(request) === 'warm' ? reply.text('Warm.') : reply.text(ANSWER, { stream: MODEL })),
          ...(build ? { build } : {}),
        });
        try {
          const measured = await measure(bot, n, ctx.log);
          rows.push(...measured.rows);
          figures.set(program.id, measured.figures);
        } catch (error) {
          // One program failing at one N (e.g. a burst not acked in time on a loaded machine) keeps the others' rows.
          const message = error instanceof Error ? error.message : String(error);
          ctx.failed(`${program.label}, N=${n}: ${message}\n  its stderr:\n  ${bot.stderrTail()}`);
          rows.push({ measurement: `threads-at-once, ${program.label}, ${n} threads (failed)`, unit: 'ms', n: 0, p50: Number.NaN, max: Number.NaN, notes: (message.split('\n')[0] ?? '').slice(0, 200) });
        } finally {
          await bot.stop();
        }
      }
      compare(ctx, n, figures);
    }
    return rows;
  },
};

/** What the side-by-side table takes from one program's rounds. */
interface Figures {
  ack: { p50: number; p99: number; max: number };
  wallMs: number;
  hwm: number;
  notes: string;
}

function compare(ctx: ScenarioContext, n: number, figures: Map<ProgramId, Figures>): void {
  // A program that failed at this N shows as n/a, so the table says what is missing.
  const missing: Figures = { ack: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }, wallMs: Number.NaN, hwm: Number.NaN, notes: 'failed (see the rows below)' };
  const bot = figures.get('bot') ?? missing;
  const naive = figures.get('naive') ?? missing;
  for (const stat of ['p50', 'p99', 'max'] as const) {
    ctx.compare({ figure: `ack ${stat}, ${n} mentions at once`, unit: 'ms', bot: bot.ack[stat], naive: naive.ack[stat] });
  }
  ctx.compare({ figure: `${n} threads at once, model 1 s: wall (p50 of ${ROUNDS} rounds)`, unit: 'ms', bot: bot.wallMs, naive: naive.wallMs });
  ctx.compare({
    figure: `peak RSS through the ${n}-thread rounds (VmHWM)`,
    unit: 'MB',
    bot: bot.hwm / MiB,
    naive: naive.hwm / MiB,
    notes: `this bot: ${bot.notes}; naive port: ${naive.notes}`,
  });
}

async function measure(bot: ChildBot, n: number, log: (line: string) => void): Promise<{ rows: Row[]; figures: Figures }> {
  const worker = startWorkerClient();
  try {
    const warm = signedEvent(`${bot.url}/slack/events`, appMention({ channel: 'CWARM0001', user: ASKER, text: `<@${BOT_USER}> [bench:warm] hello`, ts: nextTs() }));
    await worker.fire([warm], ROUND_TIMEOUT_MS);
    await untilClosed(bot, 1, Date.now() + ROUND_TIMEOUT_MS);
    const idleRss = bot.status()?.rss ?? Number.NaN;
    const idleLive = (await bot.probe('gc')).heapUsed;
    // An untimed burst first, so the timed rounds do not pay for compiling the busy paths.
    await burst(bot, worker, Math.min(n, WARM_BURST), `w${n}`);

    const rounds: RoundResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await burst(bot, worker, n, `${n}r${round}`);
      rounds.push(r);
      log(`threads-at-once: ${bot.program.id} N=${n} round ${round}/${ROUNDS}: wall ${r.wallMs} ms, peak RSS ${(r.peakRss / MiB).toFixed(0)} MB, CPU ${r.cpuMs.toFixed(0)} ms`);
    }
    const hwm = bot.status()?.hwm ?? Number.NaN;
    const retained = (await bot.probe('gc')).heapUsed;
    // One more round, untimed: a full GC every GC_EVERY_MS shows how much of the heap is live.
    // It forces a GC every GC_EVERY_MS, which on a loaded machine can push its acks past the round's
    // deadline: then its figure is n/a, and the timed rounds above still count.
    let liveMax = Number.NaN;
    try {
      liveMax = (await burst(bot, worker, n, `${n}gc`, GC_EVERY_MS)).liveMax;
      log(`threads-at-once: ${bot.program.id} N=${n} diagnostic round: live heap at most ${(liveMax / MiB).toFixed(0)} MB`);
    } catch (error) {
      log(`threads-at-once: ${bot.program.id} N=${n} diagnostic round failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    const rows = toRows(bot.program, n, rounds, { idleRss, hwm, idleLive, retained, liveMax, runner: bot.runner });
    const acks = summarize(rounds.flatMap((r) => r.acks.map((a) => a.ms)));
    const cpuPerThread = summarize(rounds.map((r) => r.cpuMs)).p50 / n;
    return {
      rows,
      figures: {
        ack: { p50: acks.p50, p99: acks.p99, max: acks.max },
        wallMs: summarize(rounds.map((r) => r.wallMs)).p50,
        hwm,
        notes: `CPU ${cpuPerThread.toFixed(1)} ms a thread, ${summarize(rounds.map((r) => r.slackCallsPerThread)).p50.toFixed(1)} Slack calls a thread`,
      },
    };
  } finally {
    await worker.close();
  }
}

/** N mentions in N new threads at once; resolves when every thread is closed. */
async function burst(bot: ChildBot, worker: WorkerClient, n: number, id: string, gcEveryMs?: number): Promise<RoundResult> {
  bot.slack.clearCalls();
  const tagOfChannel = new Map<string, string>();
  const requests = Array.from({ length: n }, (_, i) => {
    const channel = `CP${id.toUpperCase()}T${i}`;
    const tag = `par-${id}-${i}`;
    tagOfChannel.set(channel, tag);
    // A different person in each thread, as in a team: one person's recent-threads list is updated
    // one change at a time, which 500 threads of one asker would turn into a queue.
    const user = `U0ASK${String(i).padStart(5, '0')}`;
    return signedEvent(`${bot.url}/slack/events`, appMention({ channel, user, text: `<@${BOT_USER}> [bench:${tag}] a question`, ts: nextTs() }));
  });
  const before = await bot.probe('reset');
  const threadsBefore = bot.threadCpu();
  let peakRss = bot.status()?.rss ?? 0;
  const sampler = setInterval(() => {
    const status = bot.status();
    if (status) peakRss = Math.max(peakRss, status.rss);
  }, SAMPLE_MS);
  let liveMax = 0;
  let collecting = false;
  const collector = gcEveryMs
    ? setInterval(() => {
        if (collecting) return;
        collecting = true;
        bot
          .probe('gc')
          .then((stats) => (liveMax = Math.max(liveMax, stats.heapUsed)))
          .catch(() => undefined)
          .finally(() => (collecting = false));
      }, gcEveryMs)
    : undefined;
  const benchCpu = process.cpuUsage();
  const rejectedBefore = bot.anthropic.rejections.length;
  const sentAt = Date.now();
  let acks: TimedResponse[];
  let afterAcks: ProbeStats;
  let end: ProbeStats;
  try {
    acks = await worker.fire(requests, ROUND_TIMEOUT_MS);
    afterAcks = await bot.probe('read');
    const notAcked = acks.flatMap((ack, i) => (ack.status === 200 ? [] : [`#${i}: ${ack.error ?? `HTTP ${ack.status}`}`]));
    if (notAcked.length > 0) throw new Error(`threads-at-once: ${notAcked.length} of ${n} events not acked with 200 (${notAcked.slice(0, 3).join('; ')})`);
    await untilClosed(bot, n, sentAt + ROUND_TIMEOUT_MS, tagOfChannel);
    end = await bot.probe('read');
  } finally {
    clearInterval(sampler);
    if (collector) clearInterval(collector);
  }
  const threadsAfter = bot.threadCpu();
  const benchCpuUsed = process.cpuUsage(benchCpu);
  const allSlack = bot.slack.calls();
  const slackCalls = allSlack.length;
  const tally = new Map<string, number>();
  for (const call of allSlack) tally.set(call.method, (tally.get(call.method) ?? 0) + 1);
  const slackMethods = [...tally]
    .sort((a, b) => b[1] - a[1])
    .map(([method, count]) => `${method} ${(count / n).toFixed(count % n === 0 ? 0 : 1)}`)
    .join(', ');
  const stops = allSlack.filter((call) => bot.program.answers(call));
  const stopAt = new Map(stops.map((call) => [String(channelOf(call)), call.at]));
  const toModel: number[] = [];
  const model: number[] = [];
  const afterModel: number[] = [];
  const unanswered: string[] = [];
  let lastModelStart = 0;
  for (const [channel, tag] of tagOfChannel) {
    const call = bot.tap.messagesFor(tag)[0];
    const stop = stopAt.get(channel);
    if (!call || call.endAt === undefined || stop === undefined) {
      // Closed without a streamed answer (a failed turn says so in the thread): counted, and shown.
      unanswered.push(describeThread(bot, channel, tag));
      continue;
    }
    toModel.push(call.arrivedAt - sentAt);
    model.push(call.endAt - call.arrivedAt);
    afterModel.push(stop - call.endAt);
    lastModelStart = Math.max(lastModelStart, call.arrivedAt - sentAt);
  }
  const cpu = (s: ProbeStats) => (s.cpuUserUs + s.cpuSystemUs) / 1000;
  return {
    acks,
    wallMs: Math.max(...stops.map((call) => call.at)) - sentAt,
    peakRss,
    cpuMs: cpu(end) - cpu(before),
    ackCpuMs: cpu(afterAcks) - cpu(before),
    mainThreadMs: before && threadsBefore && threadsAfter ? threadsAfter.mainMs - threadsBefore.mainMs : Number.NaN,
    ackLoopMaxMs: afterAcks.loopMaxMs,
    loopMaxMs: end.loopMaxMs,
    heapUsedMax: end.heapUsedMax,
    newSpaceAtMax: end.newSpaceAtMax,
    oldSpaceAtMax: end.oldSpaceAtMax,
    externalMax: end.externalMax,
    liveMax,
    benchCpuMs: (benchCpuUsed.user + benchCpuUsed.system) / 1000,
    slackCallsPerThread: slackCalls / n,
    slackMethods,
    toModel,
    model,
    afterModel,
    lastModelStartMs: lastModelStart,
    rejected: bot.anthropic.rejections.length - rejectedBefore,
    unanswered,
  };
}

/** Polls every SAMPLE_MS until `count` threads are closed: each of the program's closing calls answered `count` times. */
async function untilClosed(bot: ChildBot, count: number, deadline: number, tagOfChannel?: Map<string, string>): Promise<void> {
  const { closing } = bot.program;
  for (;;) {
    const answered = bot.slack.calls().filter((call) => call.status !== undefined);
    const seen = closing.map((isClosing) => answered.filter(isClosing).length);
    if (seen.every((n) => n >= count)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `threads-at-once: only ${seen.join(' / ')} of the ${count} threads' closing calls came in time; ` +
          `${bot.anthropic.rejections.length} model requests rejected${tagOfChannel ? `; ${describeOpen(bot, tagOfChannel)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  }
}

interface Memory {
  /** VmRSS after start and one warm-up turn. */
  idleRss: number;
  /** VmHWM at the end. */
  hwm: number;
  /** heapUsed after a full GC, after the warm-up turn and after the last round. */
  idleLive: number;
  retained: number;
  /** Largest live heap in the diagnostic round. */
  liveMax: number;
  runner: string;
}

/** What the threads that did not close got: their Slack calls (with statuses) and model calls. */
function describeOpen(bot: ChildBot, tagOfChannel: Map<string, string>): string {
  const calls = bot.slack.calls();
  const closed = (channel: string) => bot.program.closing.every((isClosing) => calls.some((c) => isClosing(c) && channelOf(c) === channel && c.status !== undefined));
  const open = [...tagOfChannel].filter(([channel]) => !closed(channel));
  return open
    .slice(0, 3)
    .map(([channel, tag]) => describeThread(bot, channel, tag))
    .join('; ');
}

/** One thread's Slack calls (method:status[:error]) and model calls, for an error message. */
function describeThread(bot: ChildBot, channel: string, tag: string): string {
  const slack = bot.slack
    .calls()
    .filter((c) => channelOf(c) === channel)
    .map((c) => `${c.method}:${c.status ?? 'pending'}${c.response?.ok === false ? `:${String(c.response.error)}` : ''}`);
  const model = bot.tap.messagesFor(tag).map((c) => `${c.status ?? 'pending'}${c.endAt === undefined ? ' (open)' : ''}`);
  return `${channel}: slack [${slack.join(', ')}], model [${model.join(', ')}]`;
}

function toRows(program: Program, n: number, rounds: RoundResult[], memory: Memory): Row[] {
  const { idleRss, hwm } = memory;
  const p50 = (values: number[]) => summarize(values).p50;
  const maxOf = (values: number[]) => summarize(values).max;
  const list = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join(', ');
  const flat = (pick: (r: RoundResult) => number[]) => rounds.flatMap(pick);
  const wall = summarize(rounds.map((r) => r.wallMs));
  const failures = rounds.flatMap((r) => r.acks.filter((a) => a.status !== 200).map((a) => a.error ?? `HTTP ${a.status}`));
  const rejected = rounds.reduce((sum, r) => sum + r.rejected, 0);
  const unanswered = rounds.flatMap((r) => r.unanswered);
  const is500 = n === 500;
  // The issues' targets are the bot's; the naive port's rows are there to compare with.
  const judged = program === BOT;
  const who = judged ? '' : 'naive port: ';
  const itself = judged ? 'bot' : 'naive port';
  const answerCall = judged ? 'chat.stopStream' : 'chat.postMessage';

  const wallRow: Row = {
    measurement: `${who}wall time, ${n} threads at once, model 1 s (${itself} in its own process)`,
    unit: 'ms',
    n: wall.n,
    p50: wall.p50,
    max: wall.max,
    notes:
      `per round: ${list(rounds.map((r) => r.wallMs))} ms; per thread (p50 / max over all rounds): event -> model request ` +
      `${p50(flat((r) => r.toModel))} / ${maxOf(flat((r) => r.toModel))} ms, model call ${p50(flat((r) => r.model))} / ` +
      `${maxOf(flat((r) => r.model))} ms, model end -> ${answerCall} ${p50(flat((r) => r.afterModel))} / ${maxOf(flat((r) => r.afterModel))} ms; ` +
      `last model request ${list(rounds.map((r) => r.lastModelStartMs))} ms after the send; ${p50(rounds.map((r) => r.slackCallsPerThread)).toFixed(1)} ` +
      `Slack calls a thread (last round: ${rounds.at(-1)?.slackMethods ?? ''}); bot CPU per round ${list(rounds.map((r) => r.cpuMs))} ms ` +
      `(${(p50(rounds.map((r) => r.cpuMs)) / n).toFixed(1)} ms a thread), of it on the main thread ${list(rounds.map((r) => r.mainThreadMs))} ms ` +
      `and during the acks ${list(rounds.map((r) => r.ackCpuMs))} ms; ` +
      `longest bot event-loop stall per round ${list(rounds.map((r) => r.loopMaxMs))} ms; bench process (fakes, tap) CPU per round ` +
      `${list(rounds.map((r) => r.benchCpuMs))} ms` +
      (rejected > 0 ? `; ${rejected} model requests rejected` : '') +
      (unanswered.length > 0 ? `; ${unanswered.length} threads closed without a streamed answer (first: ${unanswered[0]})` : ''),
  };
  if (judged && is500) wallRow.targets = [atMost(wallRow, 'p50', 2500, 'issue 11, 2 cores')];

  const rss = summarize(rounds.map((r) => r.peakRss / MiB));
  const rssRow: Row = {
    measurement: `${who}peak RSS of the ${itself}, ${n} threads at once, model 1 s`,
    unit: 'MB',
    n: rss.n,
    p50: rss.p50,
    max: hwm / MiB,
    notes:
      `sampled peak per round: ${list(rounds.map((r) => r.peakRss / MiB))} MB; max column is VmHWM (peak since start); idle after ` +
      `start and one warm-up turn ${(idleRss / MiB).toFixed(0)} MB; V8 heap used at most ${list(rounds.map((r) => r.heapUsedMax / MiB))} MB ` +
      `per round (then new space ${list(rounds.map((r) => r.newSpaceAtMax / MiB))} MB, old space ${list(rounds.map((r) => r.oldSpaceAtMax / MiB))} MB), ` +
      `external + array buffers at most ${list(rounds.map((r) => r.externalMax / MiB))} MB; live heap after a full GC ` +
      `${(memory.idleLive / MiB).toFixed(0)} MB before the rounds, ${(memory.retained / MiB).toFixed(0)} MB after them, at most ` +
      `${Number.isFinite(memory.liveMax) ? (memory.liveMax / MiB).toFixed(0) : 'n/a (the round did not finish in time)'} MB during an extra round with a full GC every ${GC_EVERY_MS} ms; run as ${memory.runner}`,
  };
  if (judged && is500) rssRow.targets = [atMost(rssRow, 'max', 200, 'issue 11')];

  const acks = summarize(flat((r) => r.acks.map((a) => a.ms)));
  const ackRow: Row = {
    measurement: `${who}ack latency, ${n} mentions at once, ${itself} in its own process`,
    unit: 'ms',
    n: acks.n,
    p50: acks.p50,
    p99: acks.p99,
    max: acks.max,
    notes:
      `slowest per burst: ${list(rounds.map((r) => Math.max(...r.acks.map((a) => a.ms))))} ms; bot CPU while acking: ` +
      `${list(rounds.map((r) => r.ackCpuMs))} ms (${(p50(rounds.map((r) => r.ackCpuMs)) / n).toFixed(2)} ms an event); longest bot ` +
      `event-loop stall while acking: ${list(rounds.map((r) => r.ackLoopMaxMs))} ms` +
      (failures.length > 0 ? `; ${failures.length} not 200 (${failures[0]})` : ''),
  };
  if (judged) {
    ackRow.targets =
      n === 40
        ? [atMost(ackRow, 'p99', 10, 'issue'), atMost(ackRow, 'max', 3000, 'Slack retries')]
        : [atMost(ackRow, 'p99', 200, 'issue 10'), atMost(ackRow, 'max', 3000, 'Slack retries')];
  }
  return [wallRow, rssRow, ackRow];
}
