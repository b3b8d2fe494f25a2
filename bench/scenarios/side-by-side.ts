// The bot and the naive port (bench/naive/), each in a child process of its own, started the same way
// against the same fakes and MCP server: start-up to a healthy /healthz, one turn with no tool and
// with one tool call, the first words of a 3 s answer, SIGTERM to exit with nothing in flight, and a
// CPU profile of the turns. The burst figures (acks, wall time, peak RSS) come from threads-at-once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reply, type ReplySpec, type Script } from '../../test/fakes/anthropic.js';
import type { RecordedCall } from '../../test/fakes/slack-api.js';
import { appMention, nextTs } from '../../test/helpers/sign.js';
import { ASKER, BOT_USER, tagOf } from '../lib/bench-bot.js';
import { fireHere, signedEvent } from '../lib/burst-client.js';
import { startChildBot, type ChildBot } from '../lib/child-bot.js';
import { summarizeCpuProfile } from '../lib/cpu-profile.js';
import { channelOf, PROGRAMS, type Program, type ProgramId } from '../lib/programs.js';
import { toolScript } from '../lib/scripts.js';
import { median } from '../lib/stats.js';
import type { Comparison, Scenario, ScenarioContext } from '../lib/types.js';

/** Starts (and stops) per program; the first start also runs the turns. */
const STARTS = 3;
const TURNS = 10;
const FIRST_WORDS_RUNS = 3;
const PROFILED_TURNS = 30;
const STREAM = { chunks: 30, durationMs: 3000 };
const TURN_TIMEOUT_MS = 20_000;
const LONG_TEXT = Array.from({ length: 24 }, (_, i) => `Sentence ${i + 1} of the answer explains one more part of the question.`).join(' ');

/** Tags "words-*" get the 3 s streamed answer; the others follow toolScript ("-tools<N>-"). */
const script: Script = (request, callIndex): ReplySpec | Promise<ReplySpec> =>
  tagOf(request)?.startsWith('words-') ? reply.text(LONG_TEXT, { stream: STREAM }) : toolScript(request, callIndex);

interface Measured {
  startupMs: number[];
  exitMs: number[];
  /** The bot with WORKERS=2 (a primary and two workers): start-up and SIGTERM to exit only. */
  workers2: { startupMs: number[]; exitMs: number[] };
  /** Event sent -> the call that completes the answer, ms. */
  turn: Record<0 | 1, number[]>;
  /** The same minus the model's time at the tap (so: the program, its Slack calls and the tool call). */
  own: Record<0 | 1, number[]>;
  slackCalls: Record<0 | 1, number[]>;
  /** Event sent -> the first call that puts answer text on screen, ms. */
  firstWords: number[];
  profile: string;
}

export const sideBySide: Scenario = {
  id: 'side-by-side',
  method:
    `The bot and the naive port (bench/naive/main.ts: the MCP client tutorial's loop in a plain Bolt listener that awaits the ` +
    'model and then says the answer) each started the same way (built by tsc, `node main.js`, the same env, fake Slack, fake ' +
    `model and server-everything), ${STARTS} times each, the programs taking turns. Start-up: spawn to the first 200 from /healthz ` +
    `(polled every 20 ms). On the first start, after one untimed turn: ${TURNS} turns with no tool and ${TURNS} with one tool ` +
    'call (everything__echo), taking turns, one at a time, each in a new thread; turn time is from the send of the event to the ' +
    "call that completes the answer (the bot's chat.stopStream, the naive port's chat.postMessage), and the program waits for the " +
    `thread's closing calls before the next. Then ${FIRST_WORDS_RUNS} mentions whose answer the fake model streams over ` +
    `${STREAM.durationMs / 1000} s (the naive port asks without streaming and gets it whole after the same time): first words are ` +
    'from the send to the first call that puts answer text on screen. Then, with the CPU profiler on (node:inspector in the ' +
    `program, over the turns only), ${PROFILED_TURNS} turns with one tool call, untimed. Every start then ends with SIGTERM, ` +
    'nothing in flight, timed to the exit of the process. After each round of starts, the bot once more with WORKERS=2 (a primary ' +
    'and two workers, src/process/), start-up and SIGTERM only, against the naive port\'s same starts. Medians of every series.',
  async run(ctx) {
    const measured = new Map<ProgramId, Measured>();
    for (const program of PROGRAMS) {
      measured.set(program.id, { startupMs: [], exitMs: [], workers2: { startupMs: [], exitMs: [] }, turn: { 0: [], 1: [] }, own: { 0: [], 1: [] }, slackCalls: { 0: [], 1: [] }, firstWords: [], profile: '' });
    }
    for (let start = 0; start < STARTS; start++) {
      for (const program of PROGRAMS) {
        const m = measured.get(program.id);
        if (m) await oneStart(ctx, program, m, start === 0);
      }
      const bot = measured.get('bot');
      const botProgram = PROGRAMS.find((program) => program.id === 'bot');
      if (bot && botProgram) await startAndStop(ctx, botProgram, bot.workers2, { WORKERS: '2' });
    }
    const bot = measured.get('bot');
    const naive = measured.get('naive');
    if (!bot || !naive) return [];
    for (const c of comparisons(bot, naive)) ctx.compare(c);
    ctx.section('Where a turn\'s CPU time goes', [
      `${PROFILED_TURNS} turns with one tool call each, one at a time, with V8's CPU profiler on in the program over those turns only ` +
        '(bench/lib/cpu-profile.ts; profiling slows both down, so these are shares, not the timed figures above). "own code" is the ' +
        "program's own files; a package's inclusive time counts everything it calls.",
      '',
      ...PROGRAMS.flatMap((program) => [`${program.label}:`, '', '```', measured.get(program.id)?.profile ?? '', '```', '']),
    ]);
    // Its figures are all in the side-by-side table; the main table has no row of its own for them.
    return [];
  },
};

async function oneStart(ctx: ScenarioContext, program: Program, m: Measured, measureTurns: boolean): Promise<void> {
  const build = await ctx.build(program);
  const child = await startChildBot({ program, script, ...(build ? { build } : {}) });
  let exitMs: number | undefined;
  try {
    m.startupMs.push(child.startupMs);
    ctx.log(`side-by-side: ${program.id} healthy after ${child.startupMs.toFixed(0)} ms`);
    await turn(child, `${program.id}-tools0-warm${m.startupMs.length}`);
    if (measureTurns) {
      for (let i = 0; i < TURNS; i++) {
        for (const tools of [0, 1] as const) {
          const t = await turn(child, `${program.id}-tools${tools}-t${i}`);
          m.turn[tools].push(t.turnMs);
          m.own[tools].push(t.turnMs - t.modelMs);
          m.slackCalls[tools].push(t.slackCalls);
        }
      }
      for (let i = 0; i < FIRST_WORDS_RUNS; i++) {
        const t = await turn(child, `words-${program.id}-${i}`);
        m.firstWords.push(t.firstWordsMs);
        ctx.log(`side-by-side: ${program.id} first words after ${t.firstWordsMs} ms`);
      }
      m.profile = await profiledTurns(child);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${program.label}: ${message}\n  its stderr:\n  ${child.stderrTail()}`, { cause: error });
  } finally {
    exitMs = await child.stop();
  }
  if (exitMs !== undefined) m.exitMs.push(exitMs);
  ctx.log(`side-by-side: ${program.id} exited ${exitMs?.toFixed(0)} ms after SIGTERM`);
}

/** One start and SIGTERM, nothing else (the bot with other settings, e.g. WORKERS=2). */
async function startAndStop(ctx: ScenarioContext, program: Program, into: { startupMs: number[]; exitMs: number[] }, env: Record<string, string>): Promise<void> {
  const build = await ctx.build(program);
  const child = await startChildBot({ program, script, env, ...(build ? { build } : {}) });
  into.startupMs.push(child.startupMs);
  const exitMs = await child.stop();
  if (exitMs !== undefined) into.exitMs.push(exitMs);
  ctx.log(`side-by-side: ${program.id} with ${JSON.stringify(env)} healthy after ${child.startupMs.toFixed(0)} ms, exited ${exitMs?.toFixed(0)} ms after SIGTERM`);
}

interface Turn {
  turnMs: number;
  modelMs: number;
  firstWordsMs: number;
  slackCalls: number;
}

/** One mention in a new thread; resolves once the thread is closed. */
async function turn(child: ChildBot, tag: string): Promise<Turn> {
  const channel = `C${tag.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  const ofThread = (call: RecordedCall) => call.status !== undefined && channelOf(call) === channel;
  const envelope = appMention({ channel, user: ASKER, text: `<@${BOT_USER}> [bench:${tag}] a question`, ts: nextTs() });
  const sentAt = Date.now();
  const [ack] = await fireHere([signedEvent(`${child.url}/slack/events`, envelope)]);
  if (ack?.status !== 200) throw new Error(`${tag}: the event was not acked with 200 (${ack?.error ?? ack?.status})`);
  const { program } = child;
  const closed = () => program.closing.every((isClosing) => child.slack.calls().some((call) => ofThread(call) && isClosing(call)));
  await child.slack.waitUntil(closed, TURN_TIMEOUT_MS).catch((error: unknown) => {
    throw new Error(`${tag}: the thread did not close: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const calls = child.slack.calls().filter(ofThread);
  const answer = calls.find((call) => program.answers(call));
  const text = calls.find((call) => program.showsText(call));
  if (!answer || !text) throw new Error(`${tag}: closed without an answer (${calls.map((c) => c.method).join(', ')})`);
  const modelCalls = child.tap.messagesFor(tag);
  return {
    turnMs: answer.at - sentAt,
    modelMs: modelCalls.reduce((sum, c) => sum + ((c.endAt ?? c.arrivedAt) - c.arrivedAt), 0),
    firstWordsMs: text.at - sentAt,
    slackCalls: calls.filter((call) => call.at <= answer.at).length,
  };
}

/** PROFILED_TURNS one-tool turns with the CPU profiler on; the summary, per turn. */
async function profiledTurns(child: ChildBot): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  try {
    const file = path.join(dir, `${child.program.id}.cpuprofile`);
    await child.probe('profile-start');
    for (let i = 0; i < PROFILED_TURNS; i++) await turn(child, `${child.program.id}-tools1-prof${i}`);
    await child.probe('profile-stop', file);
    return summarizeCpuProfile(file, 6, PROFILED_TURNS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function comparisons(bot: Measured, naive: Measured): Comparison[] {
  const both = (figure: string, pick: (m: Measured) => number[], notes?: (m: Measured) => string): Comparison => ({
    figure,
    unit: 'ms',
    bot: median(pick(bot)),
    naive: median(pick(naive)),
    ...(notes ? { notes: `this bot: ${notes(bot)}; naive port: ${notes(naive)}` } : {}),
  });
  const turnNotes = (tools: 0 | 1) => (m: Measured) =>
    `without the model's time ${median(m.own[tools]).toFixed(0)} ms, ${median(m.slackCalls[tools])} Slack call(s) by then`;
  return [
    both('one turn, no tool (median)', (m) => m.turn[0], turnNotes(0)),
    both('one turn, one tool call (median)', (m) => m.turn[1], turnNotes(1)),
    both('first words of a 3 s answer, from the event', (m) => m.firstWords),
    both(`start-up to a healthy /healthz (median of ${STARTS})`, (m) => m.startupMs, (m) => m.startupMs.map((ms) => ms.toFixed(0)).join(', ') + ' ms'),
    both(`SIGTERM to exit, nothing in flight (median of ${STARTS})`, (m) => m.exitMs, (m) => m.exitMs.map((ms) => ms.toFixed(0)).join(', ') + ' ms'),
    // The naive port has one process only: its figures are the same starts as the rows above.
    both(`start-up to a healthy /healthz, this bot with WORKERS=2 (median of ${STARTS})`, (m) => (m === bot ? m.workers2.startupMs : m.startupMs), (m) => (m === bot ? m.workers2.startupMs : m.startupMs).map((ms) => ms.toFixed(0)).join(', ') + ' ms'),
    both(`SIGTERM to exit, nothing in flight, this bot with WORKERS=2 (median of ${STARTS})`, (m) => (m === bot ? m.workers2.exitMs : m.exitMs), (m) => (m === bot ? m.workers2.exitMs : m.exitMs).map((ms) => ms.toFixed(0)).join(', ') + ' ms'),
  ];
}
