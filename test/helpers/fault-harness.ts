// The fault tests' view of the real bot (startHarness: Bolt over HTTP, real MCP servers, the real
// store, fake Slack and fake Anthropic): questions carry a marker word ("q-..."), the fake model
// answers each question from its own plan (so tests and threads never depend on a global call
// order), and `ask` returns only once the bot has finished with the question.
//
// "Finished" is the bot's own last act of a turn: the Slack call that marks the answer done (in its
// message metadata), made after every other call of the answer and after the turn has been stored. A question that
// never becomes a turn (the store is unreachable before the turn starts) is waited for by its
// warning instead (askUntil).
import type Anthropic from '@anthropic-ai/sdk';
import { reply, type MessagesRequest, type ReplySpec } from '../fakes/anthropic.js';
import type { RecordedCall, VisibleMessage } from '../fakes/slack-api.js';
import { startHarness, type Harness, type HarnessOptions } from './bot-harness.js';
import { nextTs } from './sign.js';
import { marksAnswerDone } from './answer-done.js';

export const BOT_USER = 'U0FAKEBOT1';
const MARKER = /q-[A-Za-z0-9_-]+/g;

/** Replies for one question: the i-th model call made for it gets plan[i] (or plan(i, request)). */
export type Plan = ReplySpec[] | ((call: number, request: MessagesRequest) => ReplySpec | Promise<ReplySpec>);

export interface Asked {
  /** The question's own ts. */
  ts: string;
  /** The thread the question (and its answer) is in. */
  thread: string;
  /** The bot's messages for this question, in order. */
  messages: VisibleMessage[];
  /** What a person reads: the text of those messages, joined with newlines. */
  text: string;
}

export interface AskInput {
  channel: string;
  /** The marker word, e.g. "q-first": it names the question in plans and requests. */
  word: string;
  /** A thread root; absent = a new thread rooted at the question. */
  thread?: string;
  user?: string;
  /** Extra words after the marker. */
  text?: string;
  /** Fixed ts for the question (default a fresh one). */
  ts?: string;
}

export interface ServerHealth {
  name: string;
  state: string;
  tools: number;
  lastError?: string;
  restarts: number;
  pid?: number;
}

export interface Health {
  ready: boolean;
  store: string;
  servers: ServerHealth[];
}

export interface FaultBot {
  h: Harness;
  /** Sets the replies for the question with this marker (default: one "Answer to <word>." reply). */
  plan(word: string, plan: Plan): void;
  /** Mentions the bot and waits until it has finished with the question. */
  ask(input: AskInput, timeoutMs?: number): Promise<Asked>;
  /** Mentions the bot and waits until one of its messages after the question satisfies `done`. */
  askUntil(input: AskInput, done: (text: string) => boolean, timeoutMs?: number): Promise<Asked>;
  /** The accepted model calls made for a question, in order. */
  callsFor(word: string): MessagesRequest[];
  /** The bot's messages in a thread after `afterTs`. */
  botMessages(channel: string, thread: string, afterTs: string): VisibleMessage[];
  health(): Promise<Health>;
  stop(): Promise<void>;
}

/** The answer a question gets when its plan says nothing else. */
export const answerTo = (word: string) => `Answer to ${word}.`;

export interface FaultBotOptions extends Omit<HarnessOptions, 'script'> {
  /** Put into every event id (e.g. a run id whose keys a test deletes from a shared Redis afterwards). */
  eventIdMarker?: string;
}

export async function startFaultBot(options: FaultBotOptions = {}): Promise<FaultBot> {
  const { eventIdMarker, ...harnessOptions } = options;
  let events = 0;
  const plans = new Map<string, Plan>();
  const served = new Map<string, number>();
  const h = await startHarness({
    ...harnessOptions,
    script: (request) => {
      const word = questionOf(request);
      if (word === undefined) throw new Error('a model call without a question marker');
      const call = served.get(word) ?? 0;
      served.set(word, call + 1);
      const plan = plans.get(word);
      if (plan === undefined) return reply.text(answerTo(word));
      if (typeof plan === 'function') return plan(call, request);
      const spec = plan[call];
      if (spec === undefined) throw new Error(`the plan of ${word} has no reply for call ${call}`);
      return spec;
    },
  });

  const botMessages = (channel: string, thread: string, afterTs: string) =>
    h.slack.messages(channel, thread).filter((m) => m.user === BOT_USER && Number(m.ts) > Number(afterTs));

  const asked = (channel: string, thread: string, ts: string): Asked => {
    const messages = botMessages(channel, thread, ts);
    return { ts, thread, messages, text: messages.map(visibleText).join('\n') };
  };

  /** `unackedOk`: a 500 is fine too (the bot could not take the question in and leaves Slack to resend it). */
  const send = async (input: AskInput, unackedOk = false) => {
    const ts = input.ts ?? nextTs();
    const thread = input.thread ?? ts;
    const text = `<@${BOT_USER}> ${input.word}${input.text ? ` ${input.text}` : ''}`;
    const envelope = eventIdMarker === undefined ? undefined : { event_id: `Ev${eventIdMarker}${++events}` };
    const { response } = await h.mention({ channel: input.channel, user: input.user ?? 'U0ASKER01', text, ts, ...(input.thread ? { thread_ts: input.thread } : {}) }, envelope);
    if (response.status !== 200 && !(unackedOk && response.status === 500)) throw new Error(`the bot answered the event with HTTP ${response.status}`);
    return { ts, thread };
  };

  return {
    h,
    plan: (word, plan) => void plans.set(word, plan),
    async ask(input, timeoutMs = 20_000) {
      const { ts, thread } = await send(input);
      await h.slack.waitFor((call: RecordedCall) => marksAnswerDone(call, input.channel, ts), timeoutMs);
      return asked(input.channel, thread, ts);
    },
    async askUntil(input, done, timeoutMs = 20_000) {
      const { ts, thread } = await send(input, true);
      await h.slack.waitUntil(() => botMessages(input.channel, thread, ts).some((m) => done(visibleText(m))), timeoutMs);
      return asked(input.channel, thread, ts);
    },
    callsFor: (word) => h.anthropic.calls.filter((request) => questionOf(request) === word),
    botMessages,
    async health() {
      const response = await fetch(`${h.url}/healthz`);
      if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
      return (await response.json()) as Health;
    },
    stop: () => h.stop(),
  };
}

/** The marker of the question a model call is for: the last one a person wrote (tool results do not count). */
export function questionOf(request: MessagesRequest): string | undefined {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role !== 'user') continue;
    const texts = typeof message.content === 'string' ? [message.content] : message.content.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    for (let j = texts.length - 1; j >= 0; j--) {
      const found = texts[j]?.match(MARKER);
      if (found) return found.at(-1);
    }
  }
  return undefined;
}

/** What a person reads in a message: its Markdown (streamed, posted, or in a markdown block), else its text. */
export function visibleText(message: VisibleMessage): string {
  if (message.markdown_text !== undefined) return message.markdown_text;
  const markdown = (message.blocks ?? []).flatMap((b) => (b.type === 'markdown' && typeof b.text === 'string' ? [b.text] : []));
  return markdown.length > 0 ? markdown.join('\n') : (message.text ?? '');
}

/** A request's conversation as [role, text] pairs (tool blocks as compact JSON), for history checks. */
export function transcriptOf(request: MessagesRequest | undefined): [role: string, text: string][] {
  return (request?.messages ?? []).map((message) => [message.role, contentText(message.content)]);
}

function contentText(content: string | Anthropic.ContentBlockParam[]): string {
  if (typeof content === 'string') return content;
  return content.map((block) => (block.type === 'text' ? block.text : JSON.stringify(block))).join(' | ');
}

/** Whether a transcript holds these texts in this order (each in a later or the same message than the one before). */
export function inOrder(transcript: [string, string][], texts: string[]): boolean {
  let at = 0;
  for (const text of texts) {
    const found = transcript.findIndex(([, body], i) => i >= at && body.includes(text));
    if (found < 0) return false;
    at = found;
  }
  return true;
}

/** Marks of a stack trace or a raw API error that a person must never see. */
export const TECHNICAL = /\n\s+at |\bError:|req_fake|_error\b|\{"type"|ECONNREFUSED|status code/;
