// The agent loop's vocabulary: the transcript it keeps, and the events it emits while a turn runs.
// It knows nothing of Slack or the terminal: both are sinks of AgentEvents.
import type Anthropic from '@anthropic-ai/sdk';
import type { ToolFile } from './content.js';

/** One message of a conversation, exactly as the Messages API takes it. */
export type Message = Anthropic.MessageParam;
/** A conversation so far. Invariant: the Messages API accepts it (see transcript.ts). */
export type Transcript = Message[];

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type AgentEvent =
  /** A piece of the answer's text, as the model streams it. */
  | { type: 'text'; delta: string }
  /**
   * A tool call starts. `id` is the tool_use id; server/tool are the real (not namespaced) names.
   * For a tool name the catalog does not have, server is '' and tool is the name Claude asked for.
   */
  | { type: 'tool_started'; id: string; server: string; tool: string; input: unknown }
  | { type: 'tool_progress'; id: string; progress: number; total?: number; message?: string }
  | {
      type: 'tool_finished';
      id: string;
      server: string;
      tool: string;
      ok: boolean;
      durationMs: number;
      summary: string;
      /** Files the tool made (images, binary resources), for the front to show; absent when none. */
      files?: ToolFile[];
      /** The result's text, uncut (ToolCallResult.text), for the front to post as a file when long; absent when none. */
      text?: string;
    }
  /**
   * The turn is over. `text` is the whole answer of the last round; `notice` is a line for the user
   * when the answer is incomplete (cut at max_tokens, round cap reached, refusal).
   */
  | { type: 'done'; text: string; stopReason: string; notice?: string; usage: Usage; rounds: number }
  /** The turn failed. `message` is one plain sentence for people; no stack trace. */
  | { type: 'failed'; message: string; error: unknown };

export interface AgentSink {
  emit(event: AgentEvent): void | Promise<void>;
}
