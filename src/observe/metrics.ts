// The Prometheus side of Telemetry, through prom-client, on a Registry of the bot's own (never
// prom-client's default registry, a module-level singleton). Counters and histograms move where
// things happen; the state of the MCP servers and of the turns is read when /metrics is scraped
// (watchState), so the hot paths pay nothing for it. Every name is listed in README "Monitoring".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServerState } from '../mcp/types.js';
import type { Metrics } from './telemetry.js';

/** Every metric of the bot starts with this (the default process metrics too). */
export const METRIC_PREFIX = 'slackbot_';

const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const TURN_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300];
const TOOL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The states a server can be in (ServerState), so a scrape shows each one, 0 or 1. */
const SERVER_STATES: readonly ServerState[] = ['connecting', 'up', 'restarting', 'down', 'failed'];

export interface PromMetrics extends Metrics {
  registry: Registry;
}

export function createPromMetrics(registry: Registry = new Registry()): PromMetrics {
  const name = (suffix: string) => METRIC_PREFIX + suffix;
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const questions = new Counter({ name: name('questions_total'), help: 'Questions by outcome: accepted, answered, failed, refused (with its reason)', labelNames: ['outcome', 'reason'], registers });
  const ack = new Histogram({ name: name('ack_duration_seconds'), help: "From a question event's arrival to Slack's ack (the question is in the inbox by then)", buckets: ACK_BUCKETS, registers });
  const turn = new Histogram({ name: name('turn_duration_seconds'), help: "From a question's acceptance to the first words of its answer (phase first_words) or the answer's end (phase done)", labelNames: ['phase'], buckets: TURN_BUCKETS, registers });
  const modelCalls = new Counter({ name: name('model_calls_total'), help: 'Claude calls by model and outcome (ok, error, aborted)', labelNames: ['model', 'outcome'], registers });
  const modelSeconds = new Histogram({ name: name('model_call_duration_seconds'), help: 'How long a Claude call took, its stream included', labelNames: ['model'], buckets: TURN_BUCKETS, registers });
  const tokens = new Counter({ name: name('model_tokens_total'), help: 'Tokens of Claude calls by model and type: input, output, cache_read, cache_write', labelNames: ['model', 'type'], registers });
  const toolCalls = new Counter({ name: name('tool_calls_total'), help: 'MCP tool calls by server, tool and outcome (ok, error)', labelNames: ['server', 'tool', 'outcome'], registers });
  const toolSeconds = new Histogram({ name: name('tool_call_duration_seconds'), help: 'How long an MCP tool call took', labelNames: ['server', 'tool'], buckets: TOOL_BUCKETS, registers });
  const approvals = new Counter({ name: name('approvals_total'), help: 'Approvals of tool calls by outcome (approved, denied, expired, ...)', labelNames: ['outcome'], registers });
  const elicitations = new Counter({ name: name('elicitations_total'), help: "Servers' questions to people by outcome (accept, decline, cancel, error)", labelNames: ['outcome'], registers });
  const slackCalls = new Counter({ name: name('slack_api_calls_total'), help: 'Slack Web API calls by method and outcome (ok, error, rate_limited, http_error, network_error)', labelNames: ['method', 'outcome'], registers });
  const storeOps = new Counter({ name: name('store_operations_total'), help: 'History store operations by kind (get, get_many, set, set_many, delete, delete_many, has, has_many, clear)', labelNames: ['operation'], registers });
  const storeErrors = new Counter({ name: name('store_errors_total'), help: 'History store errors', registers });
  // Seen at 0 from the start, so rate() and alerts work before the first one.
  storeErrors.inc(0);

  return {
    registry,
    question: (outcome, reason) => questions.inc(reason ? { outcome, reason } : { outcome }),
    ack: (seconds) => ack.observe(seconds),
    turn: (phase, seconds) => turn.observe({ phase }, seconds),
    modelCall(model, outcome, seconds, usage) {
      modelCalls.inc({ model, outcome });
      modelSeconds.observe({ model }, seconds);
      if (!usage) return;
      tokens.inc({ model, type: 'input' }, usage.input_tokens);
      tokens.inc({ model, type: 'output' }, usage.output_tokens);
      tokens.inc({ model, type: 'cache_read' }, usage.cache_read_input_tokens ?? 0);
      tokens.inc({ model, type: 'cache_write' }, usage.cache_creation_input_tokens ?? 0);
    },
    toolCall(server, tool, outcome, seconds) {
      toolCalls.inc({ server, tool, outcome });
      toolSeconds.observe({ server, tool }, seconds);
    },
    approval: (outcome) => approvals.inc({ outcome }),
    elicitation: (outcome) => elicitations.inc({ outcome }),
    slackCall: (method, outcome) => slackCalls.inc({ method, outcome }),
    storeOperation: (operation) => storeOps.inc({ operation }),
    storeError: () => storeErrors.inc(),
  };
}

/** What a scrape reads of the bot's state. */
export interface StateSources {
  servers: () => ReadonlyArray<{ name: string; state: ServerState; restarts: number }>;
  /** Turns answered now in this process, and questions waiting (null: the inbox did not answer). */
  turns: () => Promise<{ running: number; queued: number | null }>;
}

/** Gauges read at each scrape: server states and restarts, turns in flight and queued. */
export function watchState(registry: Registry, sources: StateSources): void {
  const registers = [registry];
  new Gauge({
    name: METRIC_PREFIX + 'mcp_server_state',
    help: 'Each MCP server state: 1 for the state it is in, 0 for the others (connecting, up, restarting, down, failed)',
    labelNames: ['server', 'state'],
    registers,
    collect() {
      this.reset();
      for (const server of sources.servers()) {
        for (const state of SERVER_STATES) this.set({ server: server.name, state }, server.state === state ? 1 : 0);
      }
    },
  });
  new Counter({
    name: METRIC_PREFIX + 'mcp_server_restarts_total',
    help: 'Times each MCP server was restarted (or reconnected) after it went away',
    labelNames: ['server'],
    registers,
    collect() {
      // The connections count their restarts (ServerStatus.restarts); a scrape copies the count.
      this.reset();
      for (const server of sources.servers()) this.inc({ server: server.name }, server.restarts);
    },
  });
  new Gauge({
    name: METRIC_PREFIX + 'turns_in_flight',
    help: 'Turns being answered now in this process',
    registers,
    async collect() {
      this.set((await sources.turns()).running);
    },
  });
  new Gauge({
    name: METRIC_PREFIX + 'turns_queued',
    help: 'Questions accepted and not yet being answered (redis://: over every replica); absent while the inbox does not answer',
    registers,
    async collect() {
      const { queued } = await sources.turns();
      this.reset();
      if (queued !== null) this.set(queued);
    },
  });
}
