// What a scripted fake Anthropic call answers: a message (text and/or tool_use blocks, a stop_reason,
// usage, optionally streamed slowly or ending in a stream error), an HTTP error, or a hang. The
// `reply` helpers keep test scripts short: reply.text('hi'), reply.tools([{ name, input }]).
import type Anthropic from '@anthropic-ai/sdk';

export type FakeBlock =
  | { type: 'text'; text: string }
  /** id defaults to toolu_fake_<call>_<index>. `input` may be any JSON (a non-object tests the client). */
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

export interface FakeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface StreamShape {
  /** Pieces each text block is streamed in (default: about 12 characters a piece). */
  chunks?: number;
  /** Spread the deltas over this long (default: as fast as possible). */
  durationMs?: number;
}

export interface MessageReply {
  kind: 'message';
  content: FakeBlock[];
  /** Default: "tool_use" when there is a tool_use block, else "end_turn". */
  stopReason?: Anthropic.StopReason;
  stopDetails?: Anthropic.RefusalStopDetails | null;
  /** Default: input estimated from the request, output from the content. */
  usage?: FakeUsage;
  stream?: StreamShape;
  /** Streamed requests only: after the content, an SSE `error` event instead of message_delta/stop. */
  streamError?: { type: string; message: string };
}

export interface ErrorReply {
  kind: 'error';
  status: number;
  /** Default from the status: overloaded_error, rate_limit_error, api_error, ... */
  type?: string;
  message?: string;
  /** Sent as `retry-after` (seconds), as the real API does. */
  retryAfterSeconds?: number;
  /** Sent as `retry-after-ms`; the SDK prefers it. Default 1 when no retry-after is given, so tests stay fast. */
  retryAfterMs?: number;
}

export interface HangReply {
  kind: 'hang';
  /** Without it, no headers are ever sent; with it, the stream starts, sends this text, then goes silent. */
  afterText?: string;
}

export type ReplySpec = MessageReply | ErrorReply | HangReply;

export interface ToolCallSpec {
  id?: string;
  name: string;
  input?: unknown;
}

type MessageOptions = Omit<MessageReply, 'kind' | 'content'>;

export const reply = {
  message(content: FakeBlock[], options: MessageOptions = {}): MessageReply {
    return { kind: 'message', content, ...options };
  },
  text(text: string, options: MessageOptions = {}): MessageReply {
    return { kind: 'message', content: [{ type: 'text', text }], ...options };
  },
  /** tool_use blocks (optionally after some text), stop_reason tool_use. */
  tools(calls: ToolCallSpec[], options: MessageOptions & { text?: string } = {}): MessageReply {
    const { text, ...rest } = options;
    const blocks: FakeBlock[] = calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input ?? {} }));
    return { kind: 'message', content: text === undefined ? blocks : [{ type: 'text', text }, ...blocks], ...rest };
  },
  refusal(text = '', explanation: string | null = null): MessageReply {
    return {
      kind: 'message',
      content: text ? [{ type: 'text', text }] : [],
      stopReason: 'refusal',
      stopDetails: { type: 'refusal', category: null, explanation },
    };
  },
  error(status: number, options: Omit<ErrorReply, 'kind' | 'status'> = {}): ErrorReply {
    return { kind: 'error', status, ...options };
  },
  overloaded(options: Omit<ErrorReply, 'kind' | 'status'> = {}): ErrorReply {
    return { kind: 'error', status: 529, ...options };
  },
  hang(afterText?: string): HangReply {
    return afterText === undefined ? { kind: 'hang' } : { kind: 'hang', afterText };
  },
  /** Streams `text`, then fails mid-stream the way the real API does under load. */
  streamError(text: string, type = 'overloaded_error', message = 'Overloaded'): MessageReply {
    return { kind: 'message', content: [{ type: 'text', text }], streamError: { type, message } };
  },
};

export function errorTypeOf(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

export function statusOfErrorType(type: string): number {
  switch (type) {
    case 'overloaded_error':
      return 529;
    case 'rate_limit_error':
      return 429;
    case 'invalid_request_error':
      return 400;
    default:
      return 500;
  }
}
