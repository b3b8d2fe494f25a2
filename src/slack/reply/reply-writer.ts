// Delivers one reply into a Slack thread. It streams (chat.startStream / appendStream / stopStream)
// and falls back to chat.postMessage / chat.update when a stream cannot start or breaks, e.g.
// `message_not_in_streaming_state` after Slack ended an idle stream. It never loses text: whatever a
// failed stream call did not deliver is posted instead. It knows nothing of the agent; ThreadSink
// decides what to write and when.
//
// Every message shows once, even when Slack carried a call out and only its response was lost
// (nothing here is resent blindly, see slack-retries.ts). Each message carries its key
// ('answer:<n>', with the attempt after a redo, reply-metadata.ts), set when it is posted, updated or its stream stopped, with
// `done` on the last one at the end. A lost startStream: the thread is read for the stream before
// starting again. A lost appendStream of text: its message is taken over and its whole text set with
// chat.update, which gives the same message whether or not the append landed. A lost append of task
// updates only, or a lost stopStream: sent once more (a task update replaces the task of its id; a
// second stop that finds the stream stopped means the first landed). Posts go through postOnce.
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { postOnce, type PostContent } from './post-once.js';
import { answerPart, questionId, replyMetadata, threadMessages, unkeyedBotMessage, type ReplyKey } from './reply-metadata.js';
import { outcomeUnknown, platformError } from '../web/slack-retries.js';
import { cutForLimit, openFenceAt } from './split.js';
import { markdownToMrkdwn } from './format.js';

type WebClient = webApi.WebClient;
type Chunk = types.AnyChunk;
export type TaskUpdate = types.TaskUpdateChunk;
export type Block = types.KnownBlock | types.Block;

export interface ReplyTarget {
  channel: string;
  /** The thread the reply goes into. */
  threadTs: string;
  /** The ts of the question this reply answers (its messages' key); default the thread's root. */
  questionTs?: string;
  /**
   * Which take of the question this reply is (1 the first; more after a worker died mid-answer,
   * intake/resume.ts). Part of the messages' keys, so a redo never takes a dead attempt's message
   * for its own.
   */
  attempt?: number;
  /** Required by chat.startStream outside DMs. */
  recipientTeamId?: string;
  recipientUserId?: string;
}

export interface ReplyWriterOptions {
  /**
   * Characters of Markdown per Slack message. Slack takes 12,000 (markdown_text, and all markdown
   * blocks of one message together); we keep a margin for the notes added at the end.
   */
  maxMessageChars: number;
}

export const DEFAULT_MAX_MESSAGE_CHARS = 11_000;

interface PostedMessage {
  ts: string;
  text: string;
}

export class ReplyWriter {
  private mode: 'stream' | 'post' = 'stream';
  /** The message being streamed, once chat.startStream has made it. */
  private streamTs: string | undefined;
  /** Text of the current streamed message. */
  private streamText = '';
  /** Messages this reply has posted (or taken over from a stream) in fallback mode; the last one is being extended. */
  private posted: PostedMessage[] = [];
  /** Every ts this reply occupies, streamed or posted, in order: message i is part 'answer:<i>'. */
  readonly messageTs: string[] = [];

  constructor(
    private readonly client: WebClient,
    private readonly target: ReplyTarget,
    private readonly logger: Logger,
    private readonly options: ReplyWriterOptions = { maxMessageChars: DEFAULT_MAX_MESSAGE_CHARS },
  ) {}

  get streaming(): boolean {
    return this.mode === 'stream';
  }

  /** Appends Markdown text (already made safe to post) to the reply. */
  async appendText(text: string): Promise<void> {
    let rest = text;
    while (rest.length > 0) {
      if (this.mode === 'post') return this.postText(rest);
      const [head, tail] = cutMessage(this.streamText, rest, this.options.maxMessageChars);
      const delivered = await this.streamSend([{ type: 'markdown_text', text: head }]);
      if (!delivered) return this.postText(rest);
      this.streamText += head;
      rest = tail;
      if (rest.length > 0) await this.rollOver();
    }
  }

  /** Shows or updates tasks (tool calls) in the reply, in one Slack call when streaming. */
  async updateTasks(tasks: TaskUpdate[]): Promise<void> {
    if (tasks.length === 0) return;
    if (this.mode === 'stream' && (await this.streamSend(tasks))) return;
    // Without a stream, only finished tasks are shown, as lines of the reply.
    const lines = tasks
      .filter((task) => task.status === 'complete' || task.status === 'error')
      .map((task) => `${task.status === 'complete' ? ':white_check_mark:' : ':x:'} \`${task.title}\` ${task.output ?? ''}`);
    if (lines.length > 0) await this.postText(`\n${lines.join('\n')}\n`);
  }

  /**
   * Ends the reply, with blocks (feedback buttons) under it; its last message is marked done. `text`
   * (already made safe to post) is the reply's last words: when they fit in the streamed message
   * they ride on chat.stopStream (its `markdown_text`, https://docs.slack.dev/reference/methods/chat.stopStream),
   * which saves an appendStream per turn; otherwise they are appended first.
   */
  async finish(blocks: Block[] = [], text = ''): Promise<void> {
    let words = text;
    if (words.length > 0 && !(this.mode === 'stream' && this.streamTs !== undefined && cutMessage(this.streamText, words, this.options.maxMessageChars)[1] === '')) {
      await this.appendText(words);
      words = '';
    }
    if (this.mode === 'stream' && this.streamTs) {
      try {
        await this.stopStream(this.streamTs, blocks, true, words);
        this.streamText += words;
        return;
      } catch (error) {
        this.logger.warn('slack stream stop failed; finishing with a posted message', { error: describe(error) });
        // The stop (and the words it carried) did not land: the words are posted instead.
        this.mode = 'post';
        if (words.length > 0) await this.postText(words);
      }
    }
    const last = this.posted.at(-1);
    if (!last) {
      if (blocks.length > 0) await this.post({ text: 'Was this answer helpful?', blocks }, true);
      return;
    }
    const content = blocks.length > 0 ? { text: fallbackText(last.text), blocks: [{ type: 'markdown', text: last.text }, ...blocks] } : { markdown_text: last.text };
    await this.client.chat.update({ channel: this.target.channel, ts: last.ts, ...content, metadata: replyMetadata(this.keyOf(last.ts), true) });
  }

  /** Sends chunks to the stream, starting it if needed; false (and post mode) when the stream broke. */
  private async streamSend(chunks: Chunk[]): Promise<boolean> {
    try {
      if (this.streamTs === undefined) await this.startStream(chunks);
      else await this.appendStream(this.streamTs, chunks);
      return true;
    } catch (error) {
      this.logger.warn('slack stream failed; falling back to posted messages', { error: describe(error) });
      await this.leaveStream(outcomeUnknown(error));
      return false;
    }
  }

  private async startStream(chunks: Chunk[]): Promise<void> {
    const args = {
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      recipient_team_id: this.target.recipientTeamId,
      recipient_user_id: this.target.recipientUserId,
      task_display_mode: 'timeline',
      chunks,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.client.chat.startStream(args);
        if (!response.ts) throw new Error('chat.startStream answered without a ts');
        return this.streamStarted(response.ts);
      } catch (error) {
        if (!outcomeUnknown(error)) throw error;
        // Slack may have started it: a stream message of ours newer than anything this reply knows.
        this.logger.warn('slack startStream outcome unknown; looking in the thread', { attempt });
        const found = await this.findStartedStream().catch(() => {
          throw error;
        });
        if (found) return this.streamStarted(found);
        if (attempt >= 2) throw error;
      }
    }
  }

  private streamStarted(ts: string): void {
    this.streamTs = ts;
    this.streamText = '';
    this.messageTs.push(ts);
  }

  private async findStartedStream(): Promise<string | undefined> {
    const messages = await threadMessages(this.client, this.target.channel, this.target.threadTs);
    const known = [this.target.questionTs ?? this.target.threadTs, ...this.messageTs];
    const after = known.reduce((a, b) => (Number(b) > Number(a) ? b : a));
    return unkeyedBotMessage(messages, after);
  }

  private async appendStream(ts: string, chunks: Chunk[]): Promise<void> {
    const args = { channel: this.target.channel, ts, chunks };
    try {
      await this.client.chat.appendStream(args);
    } catch (error) {
      // Text sent twice would show twice; task updates replace the task of their id, so once more is safe.
      if (!outcomeUnknown(error) || chunks.some((chunk) => chunk.type !== 'task_update')) throw error;
      await this.client.chat.appendStream(args);
    }
  }

  private async stopStream(ts: string, blocks: Block[], done: boolean, text = ''): Promise<void> {
    const args = {
      channel: this.target.channel,
      ts,
      ...(text.length > 0 ? { markdown_text: text } : {}),
      ...(blocks.length > 0 ? { blocks } : {}),
      metadata: replyMetadata(this.keyOf(ts), done),
    };
    try {
      await this.client.chat.stopStream(args);
    } catch (error) {
      if (!outcomeUnknown(error)) throw error;
      try {
        await this.client.chat.stopStream(args);
      } catch (again) {
        // The stream is no longer streaming: the first stop landed.
        if (platformError(again) === 'message_not_in_streaming_state') return;
        throw again;
      }
    }
  }

  /**
   * The stream broke: the rest of the reply is posted. Close the broken stream if Slack still lets
   * us, so its message does not look unfinished (not with the text that just failed: that is
   * posted). When the failed call may have landed, its text may be in the message or not: the
   * message is taken over, and the next chat.update sets its whole text.
   */
  private async leaveStream(mayHaveLanded: boolean): Promise<void> {
    this.mode = 'post';
    const ts = this.streamTs;
    this.streamTs = undefined;
    if (!ts) return;
    await this.stopStream(ts, [], false).catch(() => undefined);
    if (mayHaveLanded) this.posted.push({ ts, text: this.streamText });
  }

  /** The current message is full: end its stream and start the next message. */
  private async rollOver(): Promise<void> {
    const full = this.streamTs;
    this.streamTs = undefined;
    if (!full) return;
    try {
      await this.stopStream(full, [], false);
    } catch (error) {
      // Its text was delivered already; a failed stop leaves the message as it is.
      this.logger.warn('slack stream stop failed at a message boundary', { error: describe(error) });
    }
  }

  private async postText(text: string): Promise<void> {
    let rest = text;
    while (rest.length > 0) {
      const last = this.posted.at(-1);
      if (last && last.text.length < this.options.maxMessageChars - FENCE_MARGIN) {
        const [head, tail] = cutMessage(last.text, rest, this.options.maxMessageChars);
        last.text += head;
        await this.client.chat.update({ channel: this.target.channel, ts: last.ts, markdown_text: last.text, metadata: replyMetadata(this.keyOf(last.ts)) });
        rest = tail;
      } else {
        const [head, tail] = cutMessage('', rest, this.options.maxMessageChars);
        // A new message starts at its first visible character.
        const body = head.replace(/^\s+/, '') || '…';
        const ts = await this.post({ markdown_text: body });
        this.posted.push({ ts, text: body });
        rest = tail;
      }
    }
  }

  private async post(content: PostContent, done = false): Promise<string> {
    const key = this.keyOf(undefined);
    const ts = await postOnce({ client: this.client, channel: this.target.channel, threadTs: this.target.threadTs }, key, content, this.logger, done);
    this.messageTs.push(ts);
    return ts;
  }

  /** The key of one of this reply's messages (undefined: the next one). */
  private keyOf(ts: string | undefined): ReplyKey {
    const index = ts === undefined ? -1 : this.messageTs.indexOf(ts);
    return {
      question: questionId(this.target.channel, this.target.questionTs ?? this.target.threadTs),
      part: answerPart(index < 0 ? this.messageTs.length : index, this.target.attempt),
    };
  }
}

/** Room kept for closing a code block that a message boundary cuts through. */
const FENCE_MARGIN = 16;

/**
 * The part of `text` that still fits in a message already holding `current`, and the rest. A code
 * block cut at the boundary is closed at the end of this message and reopened in the next one.
 */
function cutMessage(current: string, text: string, max: number): [head: string, tail: string] {
  if (current.length + text.length <= max) return [text, ''];
  const [head, tail] = cutForLimit(text, Math.max(0, max - current.length - FENCE_MARGIN), current);
  const fence = openFenceAt(current + head);
  if (!fence) return [head, tail];
  return [`${head}${head.endsWith('\n') ? '' : '\n'}${fence.closer}\n`, `${fence.opener}\n${tail}`];
}

/** Notification text for a message whose body is in blocks. */
function fallbackText(markdown: string): string {
  const text = markdownToMrkdwn(markdown);
  return text.length > 3000 ? text.slice(0, 2999) + '…' : text;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'data' in error) {
    const data = (error as { data?: { error?: string } }).data;
    if (data?.error) return data.error;
  }
  return error instanceof Error ? error.message : String(error);
}
