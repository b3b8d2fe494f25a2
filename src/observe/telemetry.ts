// What the bot tells its monitoring: one small interface the engine and the Slack front call where
// things happen (a question accepted, a model call done, a tool call, a Slack call, ...), with two
// sides: counters and histograms for Prometheus (metrics.ts), and spans for OpenTelemetry traces
// (tracing.ts). Where nothing is configured (the terminal chat, tests, METRICS_PORT=off without an
// OTLP endpoint) `noTelemetry` stands in: every method returns at once and allocates nothing, so
// the agent loop pays nothing for it.
//
// Labels stay low-cardinality: a model id, a server and tool name from the servers file, a Slack
// method, an outcome from a fixed set; never a user, channel or thread id.
import type { LogFields } from '../log.js';

/** How a question ended; `refused` carries why (QuestionRefusal). */
export type QuestionOutcome = 'accepted' | 'answered' | 'failed' | 'refused';

/** Why a question was not answered: the access policy, its length, a per-person limit, or the person's daily spend cap. */
export type QuestionRefusal = 'access' | 'too_long' | 'questions_per_minute' | 'turns_in_flight' | 'daily_spend';

/** The four token counts of one model call (the Messages API's usage; cache counters may be absent). */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export type CallOutcome = 'ok' | 'error';

/** A model call's outcome: answered, failed, or stopped (the turn was cancelled, timed out, or the bot stopped). */
export type ModelOutcome = 'ok' | 'error' | 'aborted';

/** A Slack Web API call's outcome: ok, `ok: false` (error), 429 (rate_limited), another HTTP error, or no answer. */
export type SlackOutcome = 'ok' | 'error' | 'rate_limited' | 'http_error' | 'network_error';

/** A Keyv store adapter's operation (observe/store-ops.ts). */
export type StoreOperation = 'get' | 'get_many' | 'set' | 'set_many' | 'delete' | 'delete_many' | 'has' | 'has_many' | 'clear';

export interface Metrics {
  question(outcome: QuestionOutcome, reason?: QuestionRefusal): void;
  /** From the event's arrival to its ack (the question is in the inbox by then). */
  ack(seconds: number): void;
  /** From the question's acceptance to the first words of its answer in the thread, or to the answer's end. */
  turn(phase: 'first_words' | 'done', seconds: number): void;
  modelCall(model: string, outcome: ModelOutcome, seconds: number, usage?: TokenCounts): void;
  toolCall(server: string, tool: string, outcome: CallOutcome, seconds: number): void;
  /** An approval's decision (approved, denied, expired, ...). */
  approval(outcome: string): void;
  /** A server's question to a person: accept, decline, cancel, or error. */
  elicitation(outcome: string): void;
  slackCall(method: string, outcome: SlackOutcome): void;
  storeOperation(operation: StoreOperation): void;
  storeError(): void;
}

/** Attributes of a span: OpenTelemetry's primitive values. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** What code inside a span may add to it. */
export interface SpanScope {
  set(attributes: SpanAttributes): void;
  /** Marks the span failed; `type` is a low-cardinality error class (semconv error.type). */
  fail(type: string, message?: string): void;
}

export interface SpanOptions {
  kind?: 'internal' | 'client';
  /** Starts a new trace instead of a child of the active span (one trace per question). */
  root?: boolean;
  attributes?: SpanAttributes;
  /** Recorded only under an active span: outside one (an ack, a health probe) fn just runs, no trace of its own. */
  onlyInTrace?: boolean;
}

export interface Tracing {
  /** Runs `fn` in a new span, a child of the span active where it is called; ends it when fn settles. */
  span<T>(name: string, options: SpanOptions, fn: (span: SpanScope) => Promise<T>): Promise<T>;
  /** Whether message content may go into spans (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). */
  readonly captureContent: boolean;
  /** The active trace's ids for a log line (`traceId`, `spanId`), or undefined outside a span. */
  logFields(): LogFields | undefined;
}

export interface Telemetry extends Metrics, Tracing {}

const noScope: SpanScope = { set: () => {}, fail: () => {} };

export const noMetrics: Metrics = {
  question: () => {},
  ack: () => {},
  turn: () => {},
  modelCall: () => {},
  toolCall: () => {},
  approval: () => {},
  elicitation: () => {},
  slackCall: () => {},
  storeOperation: () => {},
  storeError: () => {},
};

export const noTracing: Tracing = {
  span: (_name, _options, fn) => fn(noScope),
  captureContent: false,
  logFields: () => undefined,
};

export const noTelemetry: Telemetry = { ...noMetrics, ...noTracing };

/** One Telemetry from its two sides. */
export function telemetryOf(metrics: Metrics, tracing: Tracing): Telemetry {
  return { ...metrics, span: (name, options, fn) => tracing.span(name, options, fn), captureContent: tracing.captureContent, logFields: () => tracing.logFields() };
}
