// One turn with a tool call, traced: spans collected with the SDK's InMemorySpanExporter. One trace
// for the question, with the Claude calls, the MCP tool call, the Slack calls and the store's read and
// write as its children,
// named and described as the OpenTelemetry GenAI and MCP conventions say; no message content
// (the content setting is off); and the turn's log lines carry the trace id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startObservability } from '../../src/observe/index.js';
import { reply } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';

strictSlack();

const ROOT = 'invoke_agent slack-mcp-claude-bot';

async function spansUntil(exporter: InMemorySpanExporter, done: (spans: ReadableSpan[]) => boolean, timeoutMs = 30_000): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans)) return spans;
    if (Date.now() > deadline) throw new Error(`the spans did not arrive within ${timeoutMs} ms; got: ${spans.map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('observe: the trace of one turn with a tool call', () => {
  const exporter = new InMemorySpanExporter();
  let h: Harness;
  before(async () => {
    const observability = await startObservability({ metrics: 'off', captureContent: false }, { spanExporter: exporter });
    h = await startHarness({
      observability,
      script: (request, i) =>
        i === 0 ? reply.tools([{ id: 'toolu_1', name: 'everything__echo', input: { message: 'secret ping' } }]) : reply.text('The server said it back.'),
    });
  });
  after(() => h.stop());

  it('is one trace: the question, its Claude calls, its tool call and its Slack calls', async () => {
    await h.mention({ channel: 'C200', user: 'U200', text: '<@U0FAKEBOT1> echo secret ping', ts: '1700000200.000100' });
    const spans = await spansUntil(exporter, (all) => all.some((span) => span.name === ROOT));
    const root = spans.find((span) => span.name === ROOT);
    assert.ok(root);
    assert.equal(root.parentSpanContext, undefined, 'the question starts its own trace');
    const traceId = root.spanContext().traceId;
    const children = spans.filter((span) => span.parentSpanContext?.spanId === root.spanContext().spanId);
    assert.ok(children.every((span) => span.spanContext().traceId === traceId));

    const chats = children.filter((span) => span.name === `chat ${h.config.anthropic.model}`);
    assert.equal(chats.length, 2);
    const [first, second] = chats;
    assert.equal(first?.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(first?.attributes['gen_ai.provider.name'], 'anthropic');
    assert.equal(first?.attributes['gen_ai.request.model'], h.config.anthropic.model);
    assert.deepEqual(first?.attributes['gen_ai.response.finish_reasons'], ['tool_use']);
    assert.deepEqual(second?.attributes['gen_ai.response.finish_reasons'], ['end_turn']);
    assert.ok(Number(first?.attributes['gen_ai.usage.input_tokens']) > 0);
    assert.ok(Number(first?.attributes['gen_ai.usage.output_tokens']) > 0);

    const tool = children.find((span) => span.name === 'tools/call echo');
    assert.ok(tool, `a tool span among ${children.map((s) => s.name).join(', ')}`);
    assert.equal(tool.attributes['mcp.method.name'], 'tools/call');
    assert.equal(tool.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(tool.attributes['gen_ai.tool.name'], 'echo');
    assert.equal(tool.attributes['slackbot.mcp.server'], 'everything');
    // The tool ran between the two Claude calls.
    assert.ok(tool.startTime[0] * 1e9 + tool.startTime[1] >= (first?.endTime[0] ?? 0) * 1e9 + (first?.endTime[1] ?? 0));

    const slackMethods = children.filter((span) => span.name.startsWith('slack ')).map((span) => span.attributes['rpc.method']);
    assert.ok(slackMethods.includes('chat.startStream'), `Slack calls under the question: ${slackMethods.join(', ')}`);
    assert.ok(slackMethods.includes('chat.stopStream'));

    // The conversation's one read and one write.
    const store = children.filter((span) => span.name.endsWith(' conversation')).map((span) => [span.name, span.attributes['db.operation.name']]);
    assert.deepEqual(store, [
      ['get conversation', 'get'],
      ['set conversation', 'set'],
    ]);

    // No message content without OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT.
    assert.doesNotMatch(JSON.stringify(spans.map((span) => span.attributes)), /secret ping/);

    // The log lines of the turn name its trace.
    const started = h.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'turn started');
    assert.equal(started?.trace_id, traceId);
  });

  it('has every store operation of the turn as a client span, not only the conversation, and no key in it', async () => {
    const spans = exporter.getFinishedSpans();
    const root = spans.find((span) => span.name === ROOT);
    assert.ok(root);
    const inTurn = spans.filter((span) => span.spanContext().traceId === root.spanContext().traceId);
    // Each operation on the sqlite store (STORE_URL's default here): "{db.operation.name} {db.system.name}".
    const stored = inTurn.filter((span) => span.attributes['db.system.name'] === 'sqlite');
    for (const span of stored) {
      assert.equal(span.name, `${String(span.attributes['db.operation.name'])} sqlite`);
      assert.equal(span.kind, SpanKind.CLIENT);
    }
    const conversation = new Set(inTurn.filter((span) => span.name.endsWith(' conversation')).map((span) => span.spanContext().spanId));
    const underConversation = stored.filter((span) => conversation.has(span.parentSpanContext?.spanId ?? ''));
    assert.deepEqual(underConversation.map((span) => span.name), ['get sqlite', 'set sqlite'], 'the conversation read and written once');
    const others = stored.filter((span) => !underConversation.includes(span));
    assert.ok(others.length > 0, `store operations besides the conversation's (spend, recent threads, ...): ${stored.map((s) => s.name).join(', ')}`);
    // Keys name the team, channel, user and thread: none of them is in a store span.
    assert.doesNotMatch(JSON.stringify(stored.map((span) => span.attributes)), /C200|U200|1700000200/);
  });
});
