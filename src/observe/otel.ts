// The OpenTelemetry side of Telemetry: spans through the OTel SDK, exported over OTLP/HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT (the exporter reads that variable, and the other OTEL_EXPORTER_OTLP_*
// ones, itself). Loaded only with a dynamic import (observe/index.ts) when that endpoint is set:
// without it the SDK is never read from disk.
//
// Global state, and why: a span becomes the parent of the spans started in the async work under it
// through OTel's context manager, which the OTel API keeps process-wide by design. That is the one
// global set here; the tracer comes from this provider, not from the global tracer provider, and
// close() takes the context manager down again.
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SpanAttributes, Tracing } from './telemetry.js';

export const SERVICE_NAME = 'slack-mcp-claude-bot';

export interface OtelOptions {
  captureContent: boolean;
  /** Where spans go; default the OTLP/HTTP exporter. Tests give an InMemorySpanExporter (sent at once, not batched). */
  exporter?: SpanExporter;
}

export interface OtelTracing extends Tracing {
  /** Sends the spans still buffered and stops. */
  close(): Promise<void>;
}

export function createOtelTracing(options: OtelOptions): OtelTracing {
  const processor = options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  // The service is named after the bot unless OTEL_SERVICE_NAME (the SDK's own variable) names it otherwise.
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? SERVICE_NAME }), spanProcessors: [processor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const tracer = provider.getTracer(SERVICE_NAME);
  /** Spans already marked failed by their code: an error thrown after that keeps the code's error.type. */
  const failed = new WeakSet<Span>();
  const fail = (span: Span, type: string, message?: string): void => {
    failed.add(span);
    span.setAttribute(ATTR_ERROR_TYPE, type);
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
  };

  return {
    captureContent: options.captureContent,
    span(name, spanOptions, fn) {
      if (spanOptions.onlyInTrace === true && trace.getActiveSpan() === undefined) return fn(outsideTrace);
      const kind = spanOptions.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL;
      return tracer.startActiveSpan(name, { kind, attributes: defined(spanOptions.attributes), root: spanOptions.root === true }, async (span) => {
        try {
          return await fn({ set: (attributes) => span.setAttributes(defined(attributes)), fail: (type, message) => fail(span, type, message) });
        } catch (error) {
          if (!failed.has(span)) fail(span, error instanceof Error ? error.name : 'error', error instanceof Error ? error.message : String(error));
          throw error;
        } finally {
          failed.delete(span);
          span.end();
        }
      });
    },
    logFields() {
      const span = trace.getActiveSpan();
      if (!span) return undefined;
      const { traceId, spanId } = span.spanContext();
      // The names OpenTelemetry's log correlation uses (e.g. @opentelemetry/instrumentation-pino).
      return { trace_id: traceId, span_id: spanId };
    },
    async close() {
      await provider.shutdown();
      contextManager.disable();
      context.disable();
    },
  };
}

/** What code gets in place of a span that is not recorded (SpanOptions.onlyInTrace). */
const outsideTrace = { set: () => {}, fail: () => {} };

/** OTel drops undefined attribute values with a warning; they are left out here instead. */
function defined(attributes: SpanAttributes | undefined): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value;
  return out;
}
