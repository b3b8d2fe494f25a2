// Renders a turn's agent events in a terminal: each tool call as it starts and ends, the answer as
// it streams, and a closing note when the answer is incomplete.
import type { AgentEvent, AgentSink } from '../agent/types.js';

export interface TerminalOutput {
  write(text: string): void;
}

export class TerminalSink implements AgentSink {
  private atLineStart = true;

  constructor(private readonly out: TerminalOutput) {}

  emit(event: AgentEvent): void {
    switch (event.type) {
      case 'text':
        this.write(event.delta);
        return;
      case 'tool_started':
        this.line(`[tool] ${event.server}/${event.tool} ${compact(event.input)}`);
        return;
      case 'tool_progress':
        this.line(`[tool] ${event.id.slice(-6)} progress ${event.progress}${event.total ? `/${event.total}` : ''}${event.message ? ` ${event.message}` : ''}`);
        return;
      case 'tool_finished':
        this.line(`[tool] ${event.server}/${event.tool} ${event.ok ? 'done' : 'failed'} in ${event.durationMs} ms${event.summary ? `: ${event.summary}` : ''}`);
        return;
      case 'done':
        if (event.notice) this.line(`(${event.notice})`);
        if (!this.atLineStart) this.write('\n');
        return;
      case 'failed':
        this.line(`Error: ${event.message}`);
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

function compact(input: unknown): string {
  const text = JSON.stringify(input ?? {});
  return text.length > 160 ? text.slice(0, 159) + '…' : text;
}
