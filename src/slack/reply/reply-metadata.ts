// The idempotency key every message of the bot carries, and reading it back from a thread.
//
// Slack's message metadata (https://docs.slack.dev/messaging/message-metadata): `metadata:
// {event_type, event_payload}` on chat.postMessage, chat.update and chat.stopStream (their argument
// types in node_modules/@slack/web-api/dist/types/request/chat.d.ts); chat.startStream and
// chat.postEphemeral take none. conversations.replies returns it only with `include_all_metadata`.
//
// Schema (shared with the durable inbox): event_type 'mcp_bot_reply', payload
// { question: '<channel>:<ts of the question>', part, done? }. Parts: 'answer:0', 'answer:1', ... for
// the messages of a split answer ('answer:0:attempt:2', ... when a question is answered again after
// an interrupted attempt: each attempt has keys of its own), 'note:<name>', 'approval:<id>',
// 'form:<id>', 'notice:<name>'.
// `done: true` is set on the last part of an answer when it ends (and on a refusal, which is the
// whole reply to its question).
import type { types, webApi } from '@slack/bolt';

export const REPLY_EVENT_TYPE = 'mcp_bot_reply';

export interface ReplyKey {
  /** '<channel>:<ts of the question>'. */
  question: string;
  part: string;
}

export function questionId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

/**
 * The key part of message `index` of an answer. The first attempt keeps the plain 'answer:<n>' (so
 * messages look as they did before attempts were counted); a later attempt adds its number, so its
 * post-once lookups never find a message the dead attempt left.
 */
export function answerPart(index: number, attempt = 1): string {
  return attempt > 1 ? `answer:${index}:attempt:${attempt}` : `answer:${index}`;
}

export function replyMetadata(key: ReplyKey, done = false): types.MessageMetadata {
  return { event_type: REPLY_EVENT_TYPE, event_payload: { question: key.question, part: key.part, ...(done ? { done: true } : {}) } };
}

/** A message of a thread, as far as the lookups need it. */
export interface ThreadMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  key?: ReplyKey & { done: boolean };
}

/** Every message of a thread (the root first), page by page, with the bot's keys read. */
export async function threadMessages(client: webApi.WebClient, channel: string, threadTs: string): Promise<ThreadMessage[]> {
  const found: ThreadMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
    for (const message of page.messages ?? []) {
      if (!message.ts) continue;
      found.push({ ts: message.ts, user: message.user, bot_id: message.bot_id, key: keyOf(message.metadata) });
    }
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return found;
}

/** The ts of the message that carries this key, if the thread has one. */
export async function findPart(client: webApi.WebClient, channel: string, threadTs: string, key: ReplyKey): Promise<string | undefined> {
  const messages = await threadMessages(client, channel, threadTs);
  return messages.find((m) => m.key?.question === key.question && m.key.part === key.part)?.ts;
}

/** Messages a lookup reads in a channel: a post whose answer was lost is among the newest. */
const RECENT_CHANNEL_MESSAGES = 100;

/**
 * The ts of a message of the channel itself (not a thread reply) that carries this key, among its
 * newest messages: conversations.history with include_all_metadata (docs.slack.dev, reference/methods/
 * conversations.history), for a post that starts a thread.
 */
export async function findChannelPart(client: webApi.WebClient, channel: string, key: ReplyKey): Promise<string | undefined> {
  const page = await client.conversations.history({ channel, include_all_metadata: true, limit: RECENT_CHANNEL_MESSAGES });
  const match = (page.messages ?? []).find((m) => {
    const found = keyOf(m.metadata);
    return found?.question === key.question && found.part === key.part;
  });
  return match?.ts;
}

/**
 * A message a bot posted after `afterTs` that carries no key of ours: a stream still under way
 * (chat.startStream takes no metadata; the key comes with chat.stopStream). The turns of a thread run
 * one after another, so the newest such message is the stream the current (or the interrupted) turn
 * started.
 */
export function unkeyedBotMessage(messages: ThreadMessage[], afterTs: string, botUserId?: string): string | undefined {
  const candidates = messages.filter(
    (m) => m.bot_id !== undefined && m.key === undefined && Number(m.ts) > Number(afterTs) && (botUserId === undefined || m.user === botUserId),
  );
  return candidates.at(-1)?.ts;
}

export type AnswerState =
  /** A part carries `done` (an answer's last part, a refusal): the question has been answered. */
  | { state: 'finished'; ts: string }
  /** Something was posted for it (the last answer part's ts, else the last message's), not finished. */
  | { state: 'partial'; ts: string; /** The ts is a stream nobody stopped (it carries no key yet). */ unstopped: boolean }
  | { state: 'none' };

/**
 * How far the bot got with a question, read from its thread: for a resumed question, whether to
 * answer, to mark an interrupted reply, or only to mark it done. An unkeyed bot message after the
 * question (a stream the dead attempt never stopped) counts as partial.
 */
export async function findAnswer(
  client: webApi.WebClient,
  question: { channel: string; threadTs: string; ts: string },
  botUserId?: string,
): Promise<AnswerState> {
  const id = questionId(question.channel, question.ts);
  const messages = await threadMessages(client, question.channel, question.threadTs);
  const own = messages.filter((m) => m.key?.question === id);
  const finished = own.find((m) => m.key?.done === true);
  if (finished) return { state: 'finished', ts: finished.ts };
  const answers = own.filter((m) => m.key?.part.startsWith('answer:'));
  const stream = unkeyedBotMessage(messages, question.ts, botUserId);
  const last = [...answers.map((m) => m.ts), ...(stream ? [stream] : [])].sort((a, b) => Number(a) - Number(b)).at(-1) ?? own.at(-1)?.ts;
  return last ? { state: 'partial', ts: last, unstopped: last === stream } : { state: 'none' };
}

function keyOf(metadata: { event_type?: string; event_payload?: unknown } | undefined): ThreadMessage['key'] {
  if (metadata?.event_type !== REPLY_EVENT_TYPE) return undefined;
  const payload = metadata.event_payload as Record<string, unknown> | undefined;
  if (typeof payload?.question !== 'string' || typeof payload.part !== 'string') return undefined;
  return { question: payload.question, part: payload.part, done: payload.done === true };
}
