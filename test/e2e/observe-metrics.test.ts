// GET /metrics after real turns through the fakes: questions by outcome, ack and turn latency,
// model calls and tokens, tool calls (one that works, one that fails) with their durations, a 429
// from Slack, a server that failed at start, and the store's operations. Then the endpoint moved to
// a port of its own, and turned off.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest, type ReplySpec } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { EVERYTHING_SERVER, startHarness, type Harness } from '../helpers/bot-harness.js';
import { freePort } from '../helpers/bot-process.js';
import { sample, scrapeUntil } from '../helpers/metrics-text.js';

strictSlack();

const BROKEN_SERVER = { command: process.execPath, args: [path.resolve('test/fixtures/mcp/exits-at-start.mjs')] };

/** Claude's side, by what the question asks: a tool that works, one called wrongly, an API error, or plain text. */
function script(request: MessagesRequest): ReplySpec {
  const last = JSON.stringify(request.messages.at(-1));
  if (last.includes('tool_result')) return reply.text('Done with the tool.');
  if (last.includes('echo please')) return reply.tools([{ id: 'toolu_ok', name: 'everything__echo', input: { message: 'ping' } }]);
  if (last.includes('wrong call')) return reply.tools([{ id: 'toolu_bad', name: 'everything__echo', input: { nothing: 1 } }]);
  if (last.includes('model breaks')) return reply.error(400, { message: 'bad request' });
  return reply.text('Hello there.');
}

describe('observe: GET /metrics after real turns', () => {
  let h: Harness;
  let metricsUrl: string;
  let model: string;
  before(async () => {
    h = await startHarness({ servers: { everything: EVERYTHING_SERVER, broken: BROKEN_SERVER }, script });
    metricsUrl = `${h.url}/metrics`;
    model = h.config.anthropic.model;
  });
  after(() => h.stop());

  const settled = (count: number) => (text: string) =>
    (sample(text, 'slackbot_questions_total', { outcome: 'answered' }) ?? 0) +
      (sample(text, 'slackbot_questions_total', { outcome: 'failed' }) ?? 0) +
      (sample(text, 'slackbot_questions_total', { outcome: 'refused', reason: 'too_long' }) ?? 0) >=
    count;

  it('counts questions, turns, model and tool calls, a 429, the servers and the store as they happen', async () => {
    // A state read at each scrape: the broken server failed at start, the other is up.
    const first = await scrapeUntil(metricsUrl, () => true);
    assert.equal(sample(first, 'slackbot_mcp_server_state', { server: 'broken', state: 'failed' }), 1);
    assert.equal(sample(first, 'slackbot_mcp_server_state', { server: 'broken', state: 'up' }), 0);
    assert.equal(sample(first, 'slackbot_mcp_server_state', { server: 'everything', state: 'up' }), 1);
    assert.equal(sample(first, 'slackbot_mcp_server_restarts_total', { server: 'everything' }), 0);
    assert.equal(sample(first, 'slackbot_questions_total', { outcome: 'accepted' }), undefined);

    // The first Slack call of the next answer (its loading status) gets a 429; the client waits and resends it.
    h.slack.failNext('assistant.threads.setStatus', { status: 429, retryAfter: 1 });
    await h.mention({ channel: 'C1', user: 'U1', text: '<@U0FAKEBOT1> echo please', ts: '1700000001.000100' });
    await scrapeUntil(metricsUrl, settled(1));
    await h.mention({ channel: 'C1', user: 'U1', text: '<@U0FAKEBOT1> make a wrong call', ts: '1700000002.000100' });
    await scrapeUntil(metricsUrl, settled(2));
    await h.mention({ channel: 'C1', user: 'U1', text: `<@U0FAKEBOT1> ${'x'.repeat(8100)}`, ts: '1700000003.000100' });
    await scrapeUntil(metricsUrl, settled(3));
    await h.mention({ channel: 'C1', user: 'U1', text: '<@U0FAKEBOT1> model breaks', ts: '1700000004.000100' });
    const text = await scrapeUntil(metricsUrl, settled(4));

    assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'accepted' }), 4);
    assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'answered' }), 2);
    assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'refused', reason: 'too_long' }), 1);
    assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'failed' }), 1);
    // Every question's ack is timed; the three that were let in are timed to their first words (the
    // failed one's are its sentence saying so) and to their end.
    assert.equal(sample(text, 'slackbot_ack_duration_seconds_count'), 4);
    assert.equal(sample(text, 'slackbot_turn_duration_seconds_count', { phase: 'done' }), 3);
    assert.equal(sample(text, 'slackbot_turn_duration_seconds_count', { phase: 'first_words' }), 3);
    // Two tool rounds of two calls each, and the call that failed.
    assert.equal(sample(text, 'slackbot_model_calls_total', { model, outcome: 'ok' }), 4);
    assert.equal(sample(text, 'slackbot_model_calls_total', { model, outcome: 'error' }), 1);
    assert.ok((sample(text, 'slackbot_model_tokens_total', { model, type: 'input' }) ?? 0) > 0, 'input tokens are counted');
    assert.ok((sample(text, 'slackbot_model_tokens_total', { model, type: 'output' }) ?? 0) > 0, 'output tokens are counted');
    assert.notEqual(sample(text, 'slackbot_model_tokens_total', { model, type: 'cache_read' }), undefined);
    assert.notEqual(sample(text, 'slackbot_model_tokens_total', { model, type: 'cache_write' }), undefined);
    assert.equal(sample(text, 'slackbot_tool_calls_total', { server: 'everything', tool: 'echo', outcome: 'ok' }), 1);
    assert.equal(sample(text, 'slackbot_tool_calls_total', { server: 'everything', tool: 'echo', outcome: 'error' }), 1);
    assert.equal(sample(text, 'slackbot_tool_call_duration_seconds_count', { server: 'everything', tool: 'echo' }), 2);
    // The 429, then the same call again, answered.
    assert.equal(sample(text, 'slackbot_slack_api_calls_total', { method: 'assistant.threads.setStatus', outcome: 'rate_limited' }), 1);
    assert.ok((sample(text, 'slackbot_slack_api_calls_total', { method: 'assistant.threads.setStatus', outcome: 'ok' }) ?? 0) >= 3);
    assert.ok((sample(text, 'slackbot_slack_api_calls_total', { method: 'chat.startStream', outcome: 'ok' }) ?? 0) >= 2);
    // Each turn reads and writes its conversation.
    assert.ok((sample(text, 'slackbot_store_operations_total', { operation: 'get' }) ?? 0) >= 3);
    assert.ok((sample(text, 'slackbot_store_operations_total', { operation: 'set' }) ?? 0) >= 2);
    assert.equal(sample(text, 'slackbot_store_errors_total'), 0);
    assert.equal(sample(text, 'slackbot_turns_queued'), 0);
    // No user, channel or thread id in any label.
    assert.doesNotMatch(text, /U1|C1|1700000001/);
  });
});

describe('observe: METRICS_PORT', () => {
  it('moves /metrics to a port of its own, off the Slack port', async () => {
    const port = await freePort();
    const h = await startHarness({ servers: {}, env: { METRICS_PORT: String(port) } });
    try {
      assert.equal(h.bot.metricsPort, port);
      assert.equal((await fetch(`${h.url}/metrics`)).status, 404);
      const text = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (body) => body.includes('slackbot_questions_total'));
      assert.equal(sample(text, 'slackbot_store_errors_total'), 0);
      assert.equal((await fetch(`http://127.0.0.1:${port}/slack/events`)).status, 404);
    } finally {
      await h.stop();
    }
  });

  it('turns /metrics off', async () => {
    const h = await startHarness({ servers: {}, env: { METRICS_PORT: 'off' } });
    try {
      assert.equal(h.bot.metricsPort, undefined);
      assert.equal((await fetch(`${h.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
    } finally {
      await h.stop();
    }
  });
});
