// Renders a turn's agent events in a terminal: each tool call as it starts and ends, the answer as
// it streams, and a closing note when the answer is incomplete.
import type { AgentEvent, AgentSink } from '../agent/types.js';
import type { FileSaver } from './saved-files.js';

export interface TerminalOutput {
  write(text: string): void;
}

/** The chat's own sentence for a failed turn; undefined keeps the one the agent gave. */
export type DescribeFailure = (error: unknown) => string | undefined;

export class TerminalSink implements AgentSink {
  private atLineStart = true;
  /** The label of each call in progress, so its progress lines name the tool rather than an id. */
  private readonly calls = new Map<string, string>();

  constructor(
    private readonly out: TerminalOutput,
    private readonly describeFailure: DescribeFailure = () => undefined,
    /** Saves the files a tool made (saved-files.ts); absent: they are not saved. */
    private readonly saveFiles?: FileSaver,
  ) {}

  emit(event: AgentEvent): void {
    switch (event.type) {
      case 'text':
        this.write(event.delta);
        return;
      case 'tool_started':
        this.calls.set(event.id, label(event));
        this.line(`[tool] ${label(event)} ${compact(event.input)}`);
        return;
      case 'tool_progress':
        this.line(`[tool] ${this.calls.get(event.id) ?? event.id.slice(-6)} progress ${event.progress}${event.total ? `/${event.total}` : ''}${event.message ? ` ${event.message}` : ''}`);
        return;
      case 'tool_finished':
        this.calls.delete(event.id);
        this.line(`[tool] ${label(event)} ${event.ok ? 'done' : 'failed'} in ${event.durationMs} ms${event.summary ? `: ${event.summary}` : ''}`);
        if (event.files && this.saveFiles) {
          for (const saved of this.saveFiles(event.files)) this.line(saved.path ? `[file] ${saved.name} saved as ${saved.path}` : `[file] ${saved.name} could not be saved: ${saved.error ?? 'unknown error'}`);
        }
        return;
      case 'done':
        if (event.notice) this.line(`(${event.notice})`);
        if (!this.atLineStart) this.write('\n');
        return;
      case 'failed':
        this.line(`Error: ${this.describeFailure(event.error) ?? event.message}`);
        return;
    }
  }

  private line(text: string): void {
    if (!this.atLineStart) this.write('\n');
    this.write(text + '\n');
  }

  private write(text: string): void {
    if (text.length === 0) return;
    this.out.write(text);
    this.atLineStart = text.endsWith('\n');
  }
}

/** server/tool; a tool Claude asked for that no server has (server '') is shown by its name alone. */
function label(event: { server: string; tool: string }): string {
  return event.server ? `${event.server}/${event.tool}` : event.tool;
}

function compact(input: unknown): string {
  const text = JSON.stringify(input ?? {});
  return text.length > 160 ? text.slice(0, 159) + '…' : text;
}
