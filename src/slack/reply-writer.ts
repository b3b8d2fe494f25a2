// Delivers one reply into a Slack thread. It streams (chat.startStream / appendStream / stopStream
// through the WebClient's chatStream helper) and falls back to chat.postMessage / chat.update when a
// stream cannot start or breaks, e.g. `message_not_in_streaming_state` after Slack ended an idle
// stream. It never loses text: whatever a failed stream call did not deliver is posted instead.
// It knows nothing of the agent; ThreadSink decides what to write and when.
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import { cutForLimit, openFenceAt } from './split.js';
import { markdownToMrkdwn } from './format.js';

type WebClient = webApi.WebClient;
type ChatStreamer = ReturnType<WebClient['chatStream']>;
export type TaskUpdate = types.TaskUpdateChunk;
export type Block = types.KnownBlock | types.Block;

export interface ReplyTarget {
  channel: string;
  /** The thread the reply goes into. */
  threadTs: string;
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
  private streamer: ChatStreamer | undefined;
  /** Text of the current streamed message. */
  private streamText = '';
  /** Messages this reply has posted in fallback mode; the last one is being extended. */
  private posted: PostedMessage[] = [];
  /** Every ts this reply occupies, streamed or posted, in order. */
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
      const delivered = await this.streamAppend({ markdown_text: head });
      if (!delivered) return this.postText(rest);
      this.streamText += head;
      rest = tail;
      if (rest.length > 0) await this.rollOver();
    }
  }

  /** Shows or updates tasks (tool calls) in the reply, in one Slack call when streaming. */
  async updateTasks(tasks: TaskUpdate[]): Promise<void> {
    if (tasks.length === 0) return;
    if (this.mode === 'stream' && (await this.streamAppend({ chunks: tasks }))) return;
    // Without a stream, only finished tasks are shown, as lines of the reply.
    const lines = tasks
      .filter((task) => task.status === 'complete' || task.status === 'error')
      .map((task) => `${task.status === 'complete' ? ':white_check_mark:' : ':x:'} \`${task.title}\` ${task.output ?? ''}`);
    if (lines.length > 0) await this.postText(`\n${lines.join('\n')}\n`);
  }

  /** Ends the reply, with blocks (feedback buttons) under it. */
  async finish(blocks: Block[] = []): Promise<void> {
    if (this.mode === 'stream' && this.streamer) {
      try {
        await this.streamer.stop(blocks.length > 0 ? { blocks } : undefined);
        return;
      } catch (error) {
        this.logger.warn('slack stream stop failed; finishing with a posted message', { error: describe(error) });
        this.mode = 'post';
      }
    }
    const last = this.posted.at(-1);
    if (!last) {
      if (blocks.length > 0) await this.post({ text: 'Was this answer helpful?', blocks });
      return;
    }
    if (blocks.length === 0) return;
    await this.client.chat.update({
      channel: this.target.channel,
      ts: last.ts,
      text: fallbackText(last.text),
      blocks: [{ type: 'markdown', text: last.text }, ...blocks],
    });
  }

  private async streamAppend(args: { markdown_text: string } | { chunks: TaskUpdate[] }): Promise<boolean> {
    try {
      this.streamer ??= this.startStreamer();
      const before = this.streamer.ts;
      await this.streamer.append(args);
      if (!before && this.streamer.ts) this.messageTs.push(this.streamer.ts);
      return true;
    } catch (error) {
      this.logger.warn('slack stream failed; falling back to posted messages', { error: describe(error) });
      this.mode = 'post';
      // Close the broken stream if Slack still lets us, so its message does not look unfinished;
      // the rest of the reply follows in posted messages. Not streamer.stop(): it would flush the
      // text that just failed into this message, and that text is posted below.
      const ts = this.streamer?.ts;
      if (ts) await this.client.chat.stopStream({ channel: this.target.channel, ts }).catch(() => undefined);
      return false;
    }
  }

  private startStreamer(): ChatStreamer {
    this.streamText = '';
    return this.client.chatStream({
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      recipient_team_id: this.target.recipientTeamId,
      recipient_user_id: this.target.recipientUserId,
      task_display_mode: 'timeline',
      // We decide when to flush (ThreadSink throttles); the helper's 256-character buffer would hold
      // the first words back.
      buffer_size: 1,
    });
  }

  /** The current message is full: end its stream and start the next message. */
  private async rollOver(): Promise<void> {
    const full = this.streamer;
    this.streamer = undefined;
    try {
      await full?.stop();
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
        await this.client.chat.update({ channel: this.target.channel, ts: last.ts, markdown_text: last.text });
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

  private async post(content: { markdown_text: string } | { text: string; blocks: Block[] }): Promise<string> {
    const response = await this.client.chat.postMessage({
      channel: this.target.channel,
      thread_ts: this.target.threadTs,
      ...content,
    });
    const ts = response.ts ?? '';
    this.messageTs.push(ts);
    return ts;
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
