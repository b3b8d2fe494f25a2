// The two programs the bench runs side by side, each in a child process of its own
// (bench/lib/child-bot.ts): the bot (src/) and the naive port of the MCP client tutorial
// (bench/naive/main.ts). Everything a scenario must know to measure either is here: how each is
// built and started, and which Slack calls show that a thread has its answer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedCall } from '../../test/fakes/slack-api.js';
import { carriesText } from './bench-bot.js';

export type ProgramId = 'bot' | 'naive';

/**
 * How the bot's child process is started. 'build': src/ compiled by tsc (tsconfig.build.json) into a
 * temporary folder, then `node <that>/main.js` (what `npm start` did: a build, then node).
 * 'dist' (the default): `node dist/main.js` from the project's own build, as `npm start` runs it
 * (`npm run bench` brings dist/ up to date first). 'tsx': src/main.ts through tsx (no
 * build; ~50 MB more RSS). BENCH_BOT_RUNNER overrides it for one run.
 */
export type Runner = 'build' | 'dist' | 'tsx';
const DEFAULT_BOT_RUNNER: Runner = 'dist';

export function botRunner(): Runner {
  const chosen = process.env.BENCH_BOT_RUNNER;
  if (chosen === undefined || chosen === '') return DEFAULT_BOT_RUNNER;
  if (chosen === 'build' || chosen === 'dist' || chosen === 'tsx') return chosen;
  throw new Error(`BENCH_BOT_RUNNER must be build, dist or tsx, not "${chosen}"`);
}

export interface Program {
  id: ProgramId;
  /** How the side-by-side table names it. */
  label: string;
  /** How it is started (the naive port is always built by tsc, like the bot by default). */
  runner(): Runner;
  /** The tsc project that builds it; its entry is `main.js` in the outDir. */
  tsconfig: string;
  /** The entry for tsx. */
  source: string;
  /** The entry of the project's own build (runner 'dist'). */
  dist?: string;
  /** The Slack call that completes a thread's answer. */
  answers(call: RecordedCall): boolean;
  /** Calls that each come once a thread when its turn is over; the thread is closed when all have come. */
  closing: ((call: RecordedCall) => boolean)[];
  /** A call that puts answer text on screen. */
  showsText(call: RecordedCall): boolean;
  /** Flags its node is started with, as its user starts it. */
  nodeFlags(): string[];
}

export const BOT: Program = {
  id: 'bot',
  label: 'this bot',
  runner: botRunner,
  tsconfig: 'tsconfig.build.json',
  source: path.resolve('src/main.ts'),
  dist: path.resolve('dist/main.js'),
  answers: (call) => call.method === 'chat.stopStream',
  // chat.stopStream is the turn's last call (Slack clears the loading status itself when the reply comes).
  closing: [(call) => call.method === 'chat.stopStream'],
  showsText: carriesText,
  nodeFlags: startScriptFlags,
};

export const NAIVE: Program = {
  id: 'naive',
  label: 'naive port',
  runner: () => 'build',
  tsconfig: 'bench/naive/tsconfig.json',
  source: path.resolve('bench/naive/main.ts'),
  // Its one call: say() is chat.postMessage with the whole answer as text.
  answers: (call) => call.method === 'chat.postMessage',
  closing: [(call) => call.method === 'chat.postMessage'],
  showsText: (call) => call.method === 'chat.postMessage' && typeof call.body.text === 'string' && call.body.text !== '',
  // The tutorial's `node build/index.js`: V8's defaults.
  nodeFlags: () => [],
};

export const PROGRAMS: Program[] = [BOT, NAIVE];

/** The channel a Slack call is about (chat.* name it `channel`, assistant.threads.* `channel_id`). */
export function channelOf(call: RecordedCall): string | undefined {
  const channel = call.body.channel ?? call.body.channel_id;
  return typeof channel === 'string' ? channel : undefined;
}

/**
 * The node flags of `npm start` (package.json's start script, e.g. the heap limits), so the bot runs
 * here exactly as its users start it; `node dist/main.js` alone would get V8's defaults.
 */
export function startScriptFlags(): string[] {
  const manifest = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (manifest.scripts?.start ?? '').split(/\s+/);
  if (words[0] !== 'node') return [];
  return words.slice(1).filter((word) => word.startsWith('--'));
}
