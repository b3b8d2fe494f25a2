// The bot's monitoring, built from its settings (ObserveConfig): Prometheus metrics unless
// METRICS_PORT=off, OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT is set. Each side is
// loaded with a dynamic import only when it is on, so a bot with both off (and the terminal chat,
// which never calls this) loads neither prom-client nor the OTel SDK and runs on noTelemetry.
import type { Registry } from 'prom-client';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { ObserveConfig } from '../config.js';
import type { StateSources } from './metrics.js';
import { noMetrics, noTelemetry, noTracing, telemetryOf, type Metrics, type Telemetry, type Tracing } from './telemetry.js';

export { noTelemetry, type Telemetry } from './telemetry.js';
export type { StateSources } from './metrics.js';

export interface Observability {
  /** noTelemetry when both sides are off. */
  telemetry: Telemetry;
  /** Whether spans are recorded (then log lines carry trace ids: traced-logger.ts). */
  traced: boolean;
  /** The metrics' registry, for GET /metrics; undefined when metrics are off. */
  registry?: Registry;
  /** Reads the servers' and the turns' state at each scrape (no-op when metrics are off). */
  watchState(sources: StateSources): void;
  /** Sends the spans still buffered; stops tracing. */
  close(): Promise<void>;
}

export interface ObservabilityOptions {
  /** Spans go here instead of OTLP, and tracing is on whatever the endpoint (tests: InMemorySpanExporter). */
  spanExporter?: SpanExporter;
}

export async function startObservability(config: ObserveConfig, options: ObservabilityOptions = {}): Promise<Observability> {
  let metrics: Metrics = noMetrics;
  let registry: Registry | undefined;
  let watchState: Observability['watchState'] = () => {};
  if (config.metrics !== 'off') {
    const prom = await import('./metrics.js');
    const created = prom.createPromMetrics();
    metrics = created;
    registry = created.registry;
    watchState = (sources) => prom.watchState(created.registry, sources);
  }
  let tracing: Tracing = noTracing;
  let close = () => Promise.resolve();
  if (config.otlpEndpoint !== undefined || options.spanExporter) {
    const { createOtelTracing } = await import('./otel.js');
    const otel = createOtelTracing({ captureContent: config.captureContent, ...(options.spanExporter ? { exporter: options.spanExporter } : {}) });
    tracing = otel;
    close = () => otel.close();
  }
  const off = metrics === noMetrics && tracing === noTracing;
  return { telemetry: off ? noTelemetry : telemetryOf(metrics, tracing), traced: tracing !== noTracing, ...(registry ? { registry } : {}), watchState, close };
}
