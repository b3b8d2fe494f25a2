// The inbox between Slack's ack and the turns: what a question becomes once it is accepted, and
// what every store's inbox offers. A question is accepted in one atomic step (claim its ids, check
// or mark the thread as the bot's, append it to its thread) before Slack gets its ack; workers then
// take questions head first per thread, and a head leaves its thread only when its answer finished
// or gave up. sqlite:// and redis:// keep the inbox in the store (a crash loses nothing accepted);
// memory:// keeps it in the process (a crash loses what it held).
import type { Question } from '../slack/intake/question.js';

/** One accepted question, as it waits in its thread's inbox. */
export interface QueuedQuestion {
  /** Unique per accepted question: `<channel>:<ts>` of the message. */
  id: string;
  /** The thread (conversation key): questions of one thread are answered in order. */
  thread: string;
  question: Question;
  acceptedAt: number;
}

/** A question a worker has taken: the head of its thread, held by this worker until finish or release. */
export interface TakenQuestion {
  entry: QueuedQuestion;
  /** 1 on the first take; more when a worker died (or the bot stopped) while answering it. */
  attempt: number;
  /** Aborted if this worker lost its hold on the thread (redis:// only: its lease ran out). */
  lost: AbortSignal;
}

export type AcceptResult =
  /** Appended, durably on sqlite:// and redis://: Slack may be acked. */
  | 'accepted'
  /** One of its ids was claimed before: a retry or the app_mention/message twin of an accepted question. */
  | 'duplicate'
  /** A plain message in a thread that is not the bot's: not for the bot, nothing stored. */
  | 'not-engaged';

export interface AcceptOptions {
  /** Every id the message is known by (event id, channel + ts); any one already claimed makes it a duplicate. */
  ids: string[];
  /** Accept only if the thread is already the bot's (a plain reply in a channel thread). */
  onlyIfEngaged: boolean;
}

export interface Inbox {
  /** 'sqlite', 'redis' or 'memory'. */
  readonly kind: string;
  /** Whether an accepted question outlives a crash of this process. */
  readonly durable: boolean;
  /**
   * Claims the ids, checks (onlyIfEngaged) or marks the thread as the bot's, and appends the
   * question to its thread, as one atomic step: a process that dies before it leaves no claim.
   */
  accept(question: Question, options: AcceptOptions): Promise<AcceptResult>;
  /** The head of a thread that no worker holds, now held by this caller; undefined if there is none. */
  take(): Promise<TakenQuestion | undefined>;
  /** As take, for up to `limit` threads at once (sqlite://: one query and one write for all of them). */
  takeMany(limit: number): Promise<TakenQuestion[]>;
  /** The answer finished (or gave up): the head leaves its thread and the thread is free. */
  finish(taken: TakenQuestion): Promise<void>;
  /** Gives the question back unfinished (the bot is stopping): it stays the head, to be taken again. */
  release(taken: TakenQuestion): Promise<void>;
  /** Whether the thread is the bot's (a question in it was accepted within the engaged TTL). */
  isEngaged(thread: string): Promise<boolean>;
  /** Questions accepted and not finished, in every thread (redis://: across replicas). */
  size(): Promise<number>;
  /** Stops keeping leases and closes what the inbox opened (never the history store). */
  close(): Promise<void>;
}

export interface InboxOptions {
  /** How long a claimed id is remembered: past Slack's last retry (about 5 minutes). */
  claimTtlMs: number;
  /** How long a thread stays the bot's after its last accepted question. */
  engagedTtlMs: number;
  now?: () => number;
  /**
   * One of several worker processes sharing the sqlite file (WORKERS > 1, src/process/): each
   * question is stored with `hash(thread)`, and this worker takes only questions whose
   * `hash % count` is its `index`. Without it, the process takes every question.
   */
  shard?: { index: number; count: number; hash(thread: string): number };
}

/** The id of a question in the inbox (and the `question` of the reply's message metadata). */
export function questionId(question: Pick<Question, 'channel' | 'ts'>): string {
  return `${question.channel}:${question.ts}`;
}

/** takeMany for an inbox whose take has no cheaper batch form: one take after another. */
export async function takeOneByOne(take: () => Promise<TakenQuestion | undefined>, limit: number): Promise<TakenQuestion[]> {
  const taken: TakenQuestion[] = [];
  while (taken.length < limit) {
    const next = await take();
    if (!next) break;
    taken.push(next);
  }
  return taken;
}
