// Which Slack events are questions for the bot, and what they ask. Pure: the listeners hand in the
// raw event and what they know (the bot's user id, whether the thread is engaged), and get back a
// Question or the reason to ignore the event.
import { fileRefs, type SlackFileRef } from './files.js';

export interface Question {
  teamId: string;
  channel: string;
  /** The message's own ts: where the :eyes: reaction goes, and the dedupe key with the channel. */
  ts: string;
  /** The thread the answer goes into (the message itself when it is top-level). */
  threadTs: string;
  userId: string;
  /** The text with the bot's own mention removed. */
  text: string;
  isDirect: boolean;
  /** One conversation per thread: team + channel + thread root. */
  key: string;
  /** Files attached to the message: descriptors only; the worker downloads them (files.ts). */
  files?: SlackFileRef[];
}

/** The fields of app_mention and message events this bot reads. */
export interface IncomingEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  team?: string;
  files?: unknown[];
}

export type Classification =
  | { kind: 'question'; question: Question }
  | { kind: 'ignore'; reason: string }
  /** A plain message in a channel thread: a question only if the bot is already part of the thread. */
  | { kind: 'if-engaged'; question: Question };

/** Message subtypes that still carry a person's question. Everything else (edits, deletions, joins, bots) is ignored. */
const QUESTION_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

/** Whether a value read back from the store (a parked question) is a Question. */
export function isQuestion(value: unknown): value is Question {
  if (typeof value !== 'object' || value === null) return false;
  const q = value as Record<string, unknown>;
  return ['teamId', 'channel', 'ts', 'threadTs', 'userId', 'text', 'key'].every((k) => typeof q[k] === 'string') && typeof q.isDirect === 'boolean';
}

export function conversationKey(teamId: string, channel: string, threadTs: string): string {
  return `${teamId}:${channel}:${threadTs}`;
}

export function classify(event: IncomingEvent, context: { botUserId?: string; teamId?: string }): Classification {
  if (event.subtype && !QUESTION_SUBTYPES.has(event.subtype)) return { kind: 'ignore', reason: `subtype ${event.subtype}` };
  if (event.bot_id) return { kind: 'ignore', reason: 'from a bot' };
  if (!event.user || !event.channel || !event.ts) return { kind: 'ignore', reason: 'no user, channel or ts' };
  if (context.botUserId && event.user === context.botUserId) return { kind: 'ignore', reason: 'from this bot' };

  const text = stripMention(event.text ?? '', context.botUserId);
  const files = fileRefs(event.files);
  if (text.length === 0 && files.length === 0) return { kind: 'ignore', reason: 'empty' };

  const teamId = event.team ?? context.teamId ?? 'T';
  const threadTs = event.thread_ts ?? event.ts;
  const isDirect = event.channel_type === 'im';
  const question: Question = {
    teamId,
    channel: event.channel,
    ts: event.ts,
    threadTs,
    userId: event.user,
    text,
    isDirect,
    key: conversationKey(teamId, event.channel, threadTs),
    ...(files.length > 0 ? { files } : {}),
  };

  if (event.type === 'app_mention') return { kind: 'question', question };
  if (event.type !== 'message') return { kind: 'ignore', reason: `event ${event.type}` };
  if (isDirect) return { kind: 'question', question };
  if (event.channel_type === 'mpim' || event.channel_type === 'channel' || event.channel_type === 'group') {
    // A mention in a channel also arrives as app_mention; treat both alike and let dedupe keep one.
    if (context.botUserId && (event.text ?? '').includes(`<@${context.botUserId}>`)) return { kind: 'question', question };
    if (event.thread_ts && event.thread_ts !== event.ts) return { kind: 'if-engaged', question };
    return { kind: 'ignore', reason: 'channel message without a mention' };
  }
  return { kind: 'ignore', reason: `channel type ${event.channel_type ?? 'unknown'}` };
}

function stripMention(text: string, botUserId: string | undefined): string {
  // Only the mention goes; the rest (line breaks, code) stays as written.
  const withoutBot = botUserId ? text.split(`<@${botUserId}>`).join('') : text;
  return withoutBot.trim();
}
