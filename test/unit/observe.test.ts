// The pure parts of src/observe/: the Prometheus side (counters, state read at each scrape), a tool
// call's span and metrics (an error result, content only when allowed), and trace ids in log lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { createLogger } from '../../src/log.js';
import type { ServerState } from '../../src/mcp/types.js';
import { observeToolCall } from '../../src/observe/genai.js';
import { createPromMetrics, watchState } from '../../src/observe/metrics.js';
import { createOtelTracing } from '../../src/observe/otel.js';
import { observeSlackCalls, slackOk } from '../../src/observe/slack-calls.js';
import { storeObserver } from '../../src/observe/store-ops.js';
import { noMetrics, noTelemetry, noTracing, telemetryOf } from '../../src/observe/telemetry.js';
import { withTraceIds } from '../../src/observe/traced-logger.js';
import { openStore } from '../../src/store.js';
import { sample } from '../helpers/metrics-text.js';

describe('observe: Prometheus metrics', () => {
  it('counts approvals and elicitations by outcome, and reads server and turn state at each scrape', async () => {
    const metrics = createPromMetrics();
    let servers: Array<{ name: string; state: ServerState; restarts: number }> = [{ name: 'files', state: 'up', restarts: 0 }];
    let running = 2;
    watchState(metrics.registry, { servers: () => servers, turns: () => Promise.resolve({ running, queued: 5 }) });
    metrics.approval('approved');
    metrics.approval('expired');
    metrics.approval('expired');
    metrics.elicitation('decline');
    let text = await metrics.registry.metrics();
    assert.equal(sample(text, 'slackbot_approvals_total', { outcome: 'expired' }), 2);
    assert.equal(sample(text, 'slackbot_approvals_total', { outcome: 'approved' }), 1);
    assert.equal(sample(text, 'slackbot_elicitations_total', { outcome: 'decline' }), 1);
    assert.equal(sample(text, 'slackbot_mcp_server_state', { server: 'files', state: 'up' }), 1);
    assert.equal(sample(text, 'slackbot_turns_in_flight'), 2);
    assert.equal(sample(text, 'slackbot_turns_queued'), 5);

    servers = [{ name: 'files', state: 'restarting', restarts: 3 }];
    running = 0;
    text = await metrics.registry.metrics();
    assert.equal(sample(text, 'slackbot_mcp_server_state', { server: 'files', state: 'up' }), 0);
    assert.equal(sample(text, 'slackbot_mcp_server_state', { server: 'files', state: 'restarting' }), 1);
    assert.equal(sample(text, 'slackbot_mcp_server_restarts_total', { server: 'files' }), 3);
    assert.equal(sample(text, 'slackbot_turns_in_flight'), 0);
  });

  it('keeps two bots in one process apart: each has a registry of its own', async () => {
    const one = createPromMetrics();
    const two = createPromMetrics();
    one.question('accepted');
    assert.equal(sample(await one.registry.metrics(), 'slackbot_questions_total', { outcome: 'accepted' }), 1);
    assert.equal(sample(await two.registry.metrics(), 'slackbot_questions_total', { outcome: 'accepted' }), undefined);
  });
});

describe('observe: spans', () => {
  it('marks a tool call that returned an error, counts it, and records arguments only when content is allowed', async () => {
    for (const captureContent of [false, true]) {
      const exporter = new InMemorySpanExporter();
      const tracing = createOtelTracing({ captureContent, exporter });
      const metrics = createPromMetrics();
      const telemetry = telemetryOf(metrics, tracing);
      try {
        const result = await observeToolCall(telemetry, { server: 'files', tool: 'read' }, { path: '/private/notes' }, () =>
          Promise.resolve({ content: [{ type: 'text', text: 'no such file' }], isError: true, summary: 'error: no such file' }),
        );
        assert.equal(result.isError, true);
        const [span] = exporter.getFinishedSpans();
        assert.equal(span?.name, 'tools/call read');
        assert.equal(span?.attributes['error.type'], 'tool_error');
        assert.equal(span?.status.code, 2, 'status ERROR');
        assert.equal(span?.attributes['gen_ai.tool.call.arguments'], captureContent ? '{"path":"/private/notes"}' : undefined);
        const text = await metrics.registry.metrics();
        assert.equal(sample(text, 'slackbot_tool_calls_total', { server: 'files', tool: 'read', outcome: 'error' }), 1);
      } finally {
        await tracing.close();
      }
    }
  });

  it('puts the trace and span ids in log lines written inside a span, and nothing outside', async () => {
    const tracing = createOtelTracing({ captureContent: false, exporter: new InMemorySpanExporter() });
    const lines: string[] = [];
    const logger = withTraceIds(createLogger({ write: (line) => lines.push(line) }), tracing);
    try {
      logger.info('outside');
      await telemetryOf(noMetrics, tracing).span('work', {}, () => {
        logger.child({ room: 'x' }).info('inside', { n: 1 });
        return Promise.resolve();
      });
      const [outside, within] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(outside?.trace_id, undefined);
      assert.match(String(within?.trace_id), /^[0-9a-f]{32}$/);
      assert.match(String(within?.span_id), /^[0-9a-f]{16}$/);
      assert.equal(within?.n, 1);
      assert.equal(within?.room, 'x');
    } finally {
      await tracing.close();
    }
  });
});

describe('observe: Slack calls', () => {
  it("reads Slack's ok from the answer's start, and parses any other shape", () => {
    assert.equal(slackOk('{"ok":true,"channel":"C1"}'), true);
    assert.equal(slackOk('{"ok":false,"error":"channel_not_found"}'), false);
    assert.equal(slackOk('{"error":"channel_not_found", "ok": false}'), false);
    assert.equal(slackOk('{ "ok" : true }'), true);
    assert.equal(slackOk('<html>bad gateway</html>'), true, 'not JSON: left to the WebClient');
  });

  it("counts an ok:false answer as an error and hands the WebClient the same body", async () => {
    const metrics = createPromMetrics();
    const body = '{"ok":false,"error":"not_in_channel"}';
    const options = observeSlackCalls({ fetch: () => Promise.resolve(new Response(body, { status: 200 })) }, telemetryOf(metrics, noTracing));
    const response = await options.fetch?.('https://slack.com/api/chat.postMessage', { method: 'POST' });
    assert.equal(await response?.text(), body);
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'slackbot_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'error' }), 1);
  });
});

describe('observe: store operations', () => {
  it('counts every operation, and makes it a span only inside a trace, without its key', async () => {
    assert.equal(storeObserver(noTelemetry), undefined, 'no telemetry: the store is not wrapped');
    const exporter = new InMemorySpanExporter();
    const metrics = createPromMetrics();
    const tracing = createOtelTracing({ captureContent: false, exporter });
    try {
      const store = await openStore('memory://', 'unit', storeObserver(telemetryOf(metrics, tracing)));
      await store.set('conversation:T1:C1:1.2', { turns: 1 }); // outside a question: counted, no trace of its own
      const read = await telemetryOf(metrics, tracing).span('question', {}, async () => {
        const value: unknown = await store.get('conversation:T1:C1:1.2');
        await store.delete('conversation:T1:C1:1.2');
        return value;
      });
      assert.deepEqual(read, { turns: 1 }, 'the wrapped store reads what it wrote');
      assert.equal(await store.get('conversation:T1:C1:1.2'), undefined, 'and deletes');
      const spans = exporter.getFinishedSpans();
      const question = spans.find((span) => span.name === 'question');
      const children = spans.filter((span) => span.parentSpanContext?.spanId === question?.spanContext().spanId);
      assert.deepEqual(children.map((span) => [span.name, span.attributes['db.operation.name']]), [['get', 'get'], ['delete', 'delete']]);
      assert.equal(spans.length, 3, `only the question's operations: ${spans.map((span) => span.name).join(', ')}`);
      assert.doesNotMatch(JSON.stringify(spans.map((span) => span.attributes)), /T1|C1/);
      const text = await metrics.registry.metrics();
      assert.equal(sample(text, 'slackbot_store_operations_total', { operation: 'set' }), 1);
      assert.equal(sample(text, 'slackbot_store_operations_total', { operation: 'get' }), 2);
      assert.equal(sample(text, 'slackbot_store_operations_total', { operation: 'delete' }), 1);
    } finally {
      await tracing.close();
    }
  });
});
