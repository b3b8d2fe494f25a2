// Renders one turn's agent events into a Slack thread: tool calls as task notes that update live,
// the answer streamed as it arrives, then feedback buttons. Slack calls run one after another on a
// chain of their own, so the agent never waits for Slack and the thread shows events in order.
import type { ToolFile } from '../../agent/content.js';
import type { AgentEvent, AgentSink, Usage } from '../../agent/types.js';
import type { Logger } from '../../log.js';
import { formatDuration, shortArgs } from './format.js';
import { untrustedMarkdown } from './escape.js';
import { neutralizeMentions } from './mentions.js';
import { answerFiles, summaryOf, type AnswerFileKind } from './answer-file.js';
import { toolTextFile } from '../../files/tool-text-file.js';
import type { Block, ReplyWriter, TaskUpdate } from './reply-writer.js';

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
  /** Least time between two progress updates of one tool's note. */
  progressIntervalMs: number;
  /** A tool's note is shown again after this long without news, to keep the stream open. */
  keepAliveMs: number;
  /** Called once, when the first text of the answer has been delivered to Slack. */
  onFirstText?: () => void;
  /**
   * Shows the files a tool made in the thread (upload.ts), after its note; resolves with a short
   * line for the note when some could not be shown. Absent: files are not shown.
   */
  showFiles?: (files: ToolFile[], comment?: string) => Promise<string | undefined>;
  /**
   * The answer as a file (with showFiles; answer-file.ts). `asked`: the question asks for one, so
   * the answer is not streamed: the thread gets a short summary and the file the whole answer (or
   * its tables, for CSV). `pastChars`: once the answer reaches this many characters the stream stops
   * growing, with a line saying the rest is in the file, and the whole answer is uploaded.
   */
  answerFile?: { asked?: AnswerFileKind; pastChars?: number };
  /** A tool's text result of at least this many characters is also posted as a file (with showFiles); absent or 0: never. */
  toolTextAsFileChars?: number;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 400;
export const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
/** Well inside Slack's ~5 minutes before it ends an idle stream. */
export const DEFAULT_KEEP_ALIVE_MS = 60_000;

export class ThreadSink implements AgentSink {
  private chain: Promise<void> = Promise.resolve();
  /** Text received from the model and not yet handed to Slack. */
  private pending = '';
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private sentText = false;
  private toolsSinceText = false;
  private readonly tools = new Map<string, { title: string; details?: string; output?: string; lastShownAt: number; lastProgressAt: number }>();
  private keepAlive: NodeJS.Timeout | undefined;
  private finished = false;
  /**
   * Task updates waiting for their Slack call. While one call is in flight, the updates that come
   * meanwhile (three tools starting, then finishing) gather here and go out in one appendStream.
   * Text queued after them seals the batch, so the thread keeps the order things happened in.
   */
  private taskBatch: Map<string, TaskUpdate> | undefined;
  /**
   * Text waiting for its Slack call, the same way: text flushed while an earlier call is in flight
   * joins it, so a slow Slack gets fewer, longer appends. At the end of the turn, what is still
   * waiting here rides on the call that ends the reply (chat.stopStream) instead of an append.
   */
  private textBatch: { text: string; first: boolean } | undefined;
  /** The whole answer as the thread would show it, for an answer posted as a file. */
  private whole = '';
  private toolsSinceWhole = false;
  /** Characters of the answer handed to Slack so far. */
  private streamedChars = 0;
  /** Where in `whole` the stream stopped growing (answerFile.pastChars), once it did. */
  private cutAt: number | undefined;

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
        this.whole += this.toolsSinceWhole && this.whole !== '' ? `\n\n${event.delta.replace(/^\s+/, '')}` : event.delta;
        this.toolsSinceWhole = false;
        // Asked for a file, or past the size: the text waits in `whole` for the end of the turn.
        if (this.options.answerFile?.asked || this.cutAt !== undefined) return;
        this.pending += event.delta;
        if (this.overFileSize()) return this.cutStream();
        this.scheduleFlush();
        return;
      case 'tool_started': {
        this.toolsSinceWhole = true;
        this.flushNow(true);
        const title = `${event.server}/${event.tool}`;
        const details = shortArgs(event.input) || undefined;
        this.tools.set(event.id, { title, details, lastShownAt: Date.now(), lastProgressAt: 0 });
        this.toolsSinceText = true;
        this.queueTask({ type: 'task_update', id: event.id, title, status: 'in_progress', ...(details ? { details } : {}) });
        this.startKeepAlive();
        return;
      }
      case 'tool_progress': {
        // The task note shows the latest progress, at most every progressIntervalMs per tool.
        const tool = this.tools.get(event.id);
        if (!tool || Date.now() - tool.lastProgressAt < this.options.progressIntervalMs) return;
        tool.lastProgressAt = tool.lastShownAt = Date.now();
        tool.output = progressText(event);
        this.showTask(event.id, tool);
        return;
      }
      case 'tool_finished': {
        const title = this.tools.get(event.id)?.title ?? `${event.server}/${event.tool}`;
        this.tools.delete(event.id);
        if (this.tools.size === 0) this.stopKeepAlive();
        const verb = event.ok ? 'done' : 'failed';
        const output = `${verb} in ${formatDuration(event.durationMs)}${event.summary ? `: ${event.summary}` : ''}`;
        const task: TaskUpdate = { type: 'task_update', id: event.id, title, status: event.ok ? 'complete' : 'error', output };
        this.queueTask(task);
        const { showFiles, toolTextAsFileChars } = this.options;
        const long = toolTextAsFileChars && event.text && event.text.length >= toolTextAsFileChars ? [toolTextFile(event.tool, event.text)] : [];
        const files = [...(event.files ?? []), ...long];
        if (files.length > 0 && showFiles) {
          // The note of files not shown goes out in the same turn of the chain, before anything queued later (the end of the reply).
          this.enqueue(async () => {
            const note = await showFiles(files);
            if (note) await this.writer.updateTasks([this.safeTask({ ...task, output: `${output} · ${note}` })]);
          });
        }
        return;
      }
      case 'done': {
        this.finished = true;
        this.stopKeepAlive();
        this.flushNow(true);
        const files = this.fileAnswer(event.text);
        const tail: string[] = [];
        if (event.notice) tail.push(`_${event.notice}_`);
        if (!this.sentText && this.whole.trim() === '' && tail.length === 0) tail.push('_(Claude gave no answer to that.)_');
        if (tail.length > 0) this.appendText(tail.join('\n'), true);
        // The answer as a file goes before the call that ends the reply, which marks it done. A file
        // Slack did not take leaves its text in the thread instead, so nothing is lost.
        const { showFiles } = this.options;
        if (files.length > 0 && showFiles) {
          const unshown = this.unshown();
          this.enqueue(async () => {
            const notes: string[] = [];
            for (const { file, comment } of files) {
              const note = await showFiles([file], comment);
              if (note) notes.push(note);
            }
            if (notes.length === 0) return;
            this.logger.warn('answer file not shown', { note: notes.join('; ') });
            await this.writer.appendText(neutralizeMentions(`\n\n_(${notes.join('; ')}; so here it is.)_\n\n${unshown}`, this.options.allowedUserIds));
          });
        }
        this.finishWith(() => this.options.finalBlocks(event.usage));
        return;
      }
      case 'failed':
        this.finished = true;
        this.stopKeepAlive();
        this.flushNow(true);
        // Text held back for a file that will not be made now.
        this.appendText(this.unshown(), false);
        this.appendText(`:warning: ${event.message}`, true);
        this.finishWith(() => []);
        return;
    }
  }

  /** Whether the answer reached answerFile.pastChars with the text now pending. */
  private overFileSize(): boolean {
    const past = this.options.answerFile?.pastChars;
    return past !== undefined && past > 0 && this.options.showFiles !== undefined && this.streamedChars + this.pending.length >= past;
  }

  /** The stream stops growing at pastChars (at a word), with a line saying the rest is in the file. */
  private cutStream(): void {
    const room = Math.max(0, (this.options.answerFile?.pastChars ?? 0) - this.streamedChars);
    const space = this.pending.slice(0, room).search(/\s\S*$/);
    const cut = space > 0 ? space : room;
    this.cutAt = this.whole.length - this.pending.length + cut;
    this.pending = this.pending.slice(0, cut);
    this.flushNow(true);
    this.appendText('_… the rest of the answer is in the file below._', true);
  }

  /** The answer text the thread has not shown: all of it when asked for a file, the rest past the cut. */
  private unshown(): string {
    if (this.options.answerFile?.asked) return this.whole;
    return this.cutAt === undefined ? '' : this.whole.slice(this.cutAt).replace(/^\s+/, '');
  }

  /**
   * At the end of the turn: the files the answer goes out as, and the thread's text for them (a
   * summary when asked for a file; the held text when CSV was asked for and there is no table).
   */
  private fileAnswer(lastRound: string): ReturnType<typeof answerFiles> {
    const { asked } = this.options.answerFile ?? {};
    const kind = asked ?? (this.cutAt !== undefined ? 'markdown' : undefined);
    const files = kind && this.options.showFiles && this.whole.trim() !== '' ? answerFiles(neutralizeMentions(this.whole, this.options.allowedUserIds), kind) : [];
    if (!asked) return files;
    if (files.length === 0) {
      this.appendText(this.whole, false);
      return files;
    }
    const summary = summaryOf(lastRound) || summaryOf(this.whole);
    const line = kind === 'csv' ? `_The ${files.length > 1 ? 'tables are in the files' : 'table is in the file'} below._` : '_The whole answer is in the file below._';
    this.appendText(summary ? `${summary}\n\n${line}` : line, false);
    return files;
  }

  /** Ends the reply; text still waiting for its call goes with the last one (writer.finish). */
  private finishWith(blocks: () => Block[] | Promise<Block[]>): void {
    const waiting = this.textBatch;
    const text = waiting?.text ?? '';
    if (waiting) waiting.text = ''; // its own call now has nothing to send
    this.enqueue(async () => {
      await this.writer.finish(await blocks(), text);
      if (waiting?.first && text.length > 0) this.options.onFirstText?.();
    });
  }

  /** Resolves when every Slack call for this turn has been made. */
  async settled(): Promise<void> {
    await this.chain;
  }

  /**
   * Slack ends a stream that gets nothing for about 5 minutes. While a tool runs without progress,
   * its task note is shown again now and then, so a long call does not end the stream.
   */
  private startKeepAlive(): void {
    if (this.keepAlive) return;
    this.keepAlive = setInterval(() => {
      for (const [id, tool] of this.tools) {
        if (Date.now() - tool.lastShownAt < this.options.keepAliveMs) continue;
        tool.lastShownAt = Date.now();
        this.showTask(id, tool);
      }
    }, Math.max(50, Math.floor(this.options.keepAliveMs / 4)));
  }

  private showTask(id: string, tool: { title: string; details?: string; output?: string }): void {
    const { title, details, output } = tool;
    this.queueTask({ type: 'task_update', id, title, status: 'in_progress', ...(details ? { details } : {}), ...(output ? { output } : {}) });
  }

  private stopKeepAlive(): void {
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
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
    this.streamedChars += text.length;
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
    const piece = needsBreak ? `\n\n${safe.replace(/^\s+/, '')}` : safe;
    const first = !this.sentText;
    this.sentText = true;
    if (this.textBatch) {
      this.textBatch.text += piece;
      return;
    }
    const batch = { text: piece, first };
    this.enqueue(async () => {
      if (this.textBatch === batch) this.textBatch = undefined;
      if (batch.text.length === 0) return; // taken by the end of the reply
      await this.writer.appendText(batch.text);
      if (batch.first) this.options.onFirstText?.();
    });
    this.textBatch = batch;
  }

  private safeTask(raw: TaskUpdate): TaskUpdate {
    // Tool names, arguments and results are untrusted: no pings and no disguised links from them
    // (escape.ts; Slack does not document the format of a task's fields, so both are done).
    const safe = (text: string | undefined) => (text === undefined ? undefined : untrustedMarkdown(text, this.options.allowedUserIds));
    const task: TaskUpdate = { ...raw, title: safe(raw.title) ?? raw.title };
    if (raw.details !== undefined) task.details = safe(raw.details);
    if (raw.output !== undefined) task.output = safe(raw.output);
    return task;
  }

  private queueTask(raw: TaskUpdate): void {
    const task = this.safeTask(raw);
    if (this.taskBatch) {
      this.taskBatch.set(task.id, task); // a later state of the same task replaces the earlier one
      return;
    }
    const batch = new Map([[task.id, task]]);
    this.enqueue(() => {
      if (this.taskBatch === batch) this.taskBatch = undefined;
      return this.writer.updateTasks([...batch.values()]);
    });
    this.taskBatch = batch;
  }

  private enqueue(work: () => Promise<void>): void {
    // What is queued after this goes out after it.
    this.taskBatch = undefined;
    this.textBatch = undefined;
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

/** "3/5 · Step 3 of 5" or "40%" for a progress notification. */
function progressText(event: { progress: number; total?: number; message?: string }): string {
  const amount = event.total ? `${event.progress}/${event.total}` : `${event.progress}`;
  return event.message ? `${amount} · ${event.message}` : amount;
}
