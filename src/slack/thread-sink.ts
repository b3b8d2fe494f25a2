// Renders one turn's agent events into a Slack thread: tool calls as task notes that update live,
// the answer streamed as it arrives, then feedback buttons. Slack calls run one after another on a
// chain of their own, so the agent never waits for Slack and the thread shows events in order.
import type { AgentEvent, AgentSink, Usage } from '../agent/types.js';
import type { Logger } from '../log.js';
import { formatDuration, shortArgs } from './format.js';
import { neutralizeMentions } from './mentions.js';
import type { Block, ReplyWriter } from './reply-writer.js';

export interface ThreadSinkOptions {
  /**
   * Least time between two text appends to the stream. The first words go out at once; after that
   * appends are batched so a long answer stays within appendStream's rate limit.
   */
  flushIntervalMs: number;
  /** User ids the answer may mention (the asker): any other <@U...> the model writes is defused. */
  allowedUserIds: ReadonlySet<string>;
  /** Blocks under a finished answer (token use, feedback buttons), given the turn's usage. */
  finalBlocks: (usage: Usage) => Block[] | Promise<Block[]>;
  /**
   * Slack calls that must land before the reply starts (the loading status): the model call does
   * not wait for them, only the first write to the thread does.
   */
  before?: Promise<unknown>;
  /** Called once, when the first text of the answer has been delivered to Slack. */
  onFirstText?: () => void;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 400;

export class ThreadSink implements AgentSink {
  private chain: Promise<void> = Promise.resolve();
  /** Text received from the model and not yet handed to Slack. */
  private pending = '';
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private sentText = false;
  private toolsSinceText = false;
  private readonly tools = new Map<string, string>();
  private finished = false;

  constructor(
    private readonly writer: ReplyWriter,
    private readonly logger: Logger,
    private readonly options: ThreadSinkOptions,
  ) {
    if (options.before) this.chain = options.before.then(
      () => undefined,
      () => undefined,
    );
  }

  emit(event: AgentEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'text':
        this.pending += event.delta;
        this.scheduleFlush();
        return;
      case 'tool_started': {
        this.flushNow(true);
        const title = `${event.server}/${event.tool}`;
        this.tools.set(event.id, title);
        this.toolsSinceText = true;
        const details = shortArgs(event.input);
        this.enqueue(() => this.writer.updateTask({ type: 'task_update', id: event.id, title, status: 'in_progress', ...(details ? { details } : {}) }));
        return;
      }
      case 'tool_progress':
        return; // shown live in a later issue (progress in the task note)
      case 'tool_finished': {
        const title = this.tools.get(event.id) ?? `${event.server}/${event.tool}`;
        const verb = event.ok ? 'done' : 'failed';
        const output = `${verb} in ${formatDuration(event.durationMs)}${event.summary ? `: ${event.summary}` : ''}`;
        this.enqueue(() =>
          this.writer.updateTask({ type: 'task_update', id: event.id, title, status: event.ok ? 'complete' : 'error', output }),
        );
        return;
      }
      case 'done': {
        this.finished = true;
        this.flushNow(true);
        const tail: string[] = [];
        if (event.notice) tail.push(`_${event.notice}_`);
        if (!this.sentText && event.text.trim() === '' && tail.length === 0) tail.push('_(Claude gave no answer to that.)_');
        if (tail.length > 0) this.appendText(tail.join('\n'), true);
        this.enqueue(async () => this.writer.finish(await this.options.finalBlocks(event.usage)));
        return;
      }
      case 'failed':
        this.finished = true;
        this.flushNow(true);
        this.appendText(`:warning: ${event.message}`, true);
        this.enqueue(() => this.writer.finish([]));
        return;
    }
  }

  /** Resolves when every Slack call for this turn has been made. */
  async settled(): Promise<void> {
    await this.chain;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlushAt + this.options.flushIntervalMs - Date.now());
    if (wait === 0) return this.flushNow(false);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushNow(false);
    }, wait);
  }

  /**
   * Hands pending text to Slack. Unless `all`, it stops at the last whitespace, so a mention such as
   * <!channel> is never cut in two and slips past neutralizeMentions.
   */
  private flushNow(all: boolean): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const cut = all ? this.pending.length : lastBreak(this.pending);
    if (cut <= 0) return;
    const text = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    this.lastFlushAt = Date.now();
    this.appendText(text, false);
    if (this.pending.length > 0 && !all) this.scheduleFlush();
  }

  private appendText(text: string, separate: boolean): void {
    if (text.length === 0) return;
    // Text after a tool call, or a closing note, starts a new paragraph.
    const needsBreak = this.sentText && (separate || this.toolsSinceText);
    this.toolsSinceText = false;
    const safe = neutralizeMentions(text, this.options.allowedUserIds);
    const first = !this.sentText;
    this.sentText = true;
    this.enqueue(async () => {
      await this.writer.appendText(needsBreak ? `\n\n${safe.replace(/^\s+/, '')}` : safe);
      if (first) this.options.onFirstText?.();
    });
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.logger.error('slack delivery failed', { error: error instanceof Error ? error.message : String(error) });
    });
  }
}

/**
 * Where pending text may be cut: just past its last whitespace, but never inside a Slack token
 * (`<!subteam^S1|@on call>` and `<@U1|bob smith>` may hold spaces), so each flushed piece holds
 * whole mentions for neutralizeMentions to see.
 */
function lastBreak(text: string): number {
  const match = /\s(?=\S*$)/.exec(text);
  const cut = match ? match.index + 1 : 0;
  const open = text.lastIndexOf('<', cut - 1);
  return open >= 0 && text.lastIndexOf('>', cut - 1) < open ? open : cut;
}
