// What the thread looks like: the loading state, long answers split whole, pings defused, Slack
// failures (429, a stream that Slack ended) survived without losing text, a model failure told in
// one sentence, and feedback buttons that are acknowledged and logged.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, type ReplySpec } from '../fakes/anthropic.js';
import type { VisibleMessage } from '../fakes/slack-api.js';
import { EVERYTHING_SERVER, startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { blockActionsPayload, nextTs, postInteraction } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { marksAnswerDone } from '../helpers/answer-done.js';

strictSlack();

const TOY_SERVER = { command: process.execPath, args: [path.resolve('test/fixtures/mcp/toy-server.mjs')] };
/** The toy server's tools carry no annotations, which counts as destructive: no approvals here. */
const NO_APPROVALS = path.join(mkdtempSync(path.join(tmpdir(), 'bot-policy-')), 'policy.json');
writeFileSync(NO_APPROVALS, JSON.stringify({ approval: { destructive: false } }));

const visibleText = (messages: VisibleMessage[]) => messages.filter((m) => m.user === 'U0FAKEBOT1').map((m) => m.markdown_text ?? m.text ?? '');

describe('slack: rendering', () => {
  let h: Harness;
  let next: (callIndex: number) => ReplySpec = () => reply.text('ok');
  before(async () => {
    h = await startHarness({
      script: (_request, i) => next(i),
      servers: {
        everything: EVERYTHING_SERVER,
        broken: { command: process.execPath, args: [path.resolve('test/fixtures/mcp/exits-at-start.mjs')] },
        toy: TOY_SERVER,
      },
      env: { POLICY_CONFIG: NO_APPROVALS },
      slack: { streamIdleMs: 400 },
    });
  });
  after(() => h.stop());

  async function ask(channel: string, text: string, script: (callIndex: number) => ReplySpec, user = 'U1'): Promise<VisibleMessage[]> {
    const first = h.anthropic.calls.length;
    next = (i) => script(i - first);
    const ts = nextTs();
    await h.mention({ channel, user, text: `<@U0FAKEBOT1> ${text}`, ts });
    await h.slack.waitFor((c) => marksAnswerDone(c, channel, ts), 15_000);
    return h.slack.messages(channel, ts).filter((m) => m.user === 'U0FAKEBOT1');
  }

  it('shows a loading status while it works, gone once the answer is there, in at most 5 Slack calls', async () => {
    const ts = nextTs();
    next = () => reply.text('Done thinking.', { stream: { chunks: 3, durationMs: 200 } });
    await h.mention({ channel: 'C700', user: 'U1', text: '<@U0FAKEBOT1> think', ts });
    await h.slack.waitFor((c) => c.method === 'assistant.threads.setStatus' && c.body.thread_ts === ts && c.body.status !== '', 5000);
    const status = h.slack.calls('assistant.threads.setStatus').find((c) => c.body.thread_ts === ts);
    assert.ok(Array.isArray(status?.body.loading_messages) && status.body.loading_messages.length > 0);
    await h.slack.waitFor((c) => marksAnswerDone(c, 'C700', ts), 5000);
    // Slack clears the status when the reply comes; the bot does not spend a call on it.
    assert.equal(h.slack.status('C700', ts) ?? '', '');
    const [message] = h.slack.messages('C700', ts).filter((m) => m.user === 'U0FAKEBOT1');
    assert.equal(message?.markdown_text, 'Done thinking.');
    assert.equal(message?.stream, 'stopped');
    assert.deepEqual(h.slack.reactions('C700', ts), [], 'no :eyes: reaction: the loading status says the same');
    // The count is the point here (issue 11): status, stream start, stop, and at most two appends.
    const calls = h.slack.calls().filter((c) => c.body.channel === 'C700' || c.body.channel_id === 'C700');
    assert.ok(calls.length <= 5, calls.map((c) => c.method).join(', '));
  });

  it('splits a long answer across messages within Slack limits and loses nothing', async () => {
    const paragraph = (i: number) => `Paragraph ${i}: ` + 'lorem ipsum dolor sit amet '.repeat(36).trim();
    const code = '```ts\n' + Array.from({ length: 120 }, (_, i) => `const line${i} = ${i};`).join('\n') + '\n```';
    const parts = Array.from({ length: 30 }, (_, i) => paragraph(i));
    parts.splice(11, 0, code);
    const long = parts.join('\n\n');
    assert.ok(long.length > 30_000);
    const messages = await ask('C701', 'write a lot', () => reply.text(long, { stream: { chunks: 60 } }));
    assert.ok(messages.length >= 3, `${messages.length} messages`);
    for (const text of visibleText(messages)) {
      assert.ok(text.length <= 12_000, `a message of ${text.length} characters`);
      assert.equal((text.match(/^```/gm) ?? []).length % 2, 0, 'code fences balanced in every message');
    }
    const joined = visibleText(messages).join('');
    const lines = long.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('```'));
    let at = 0;
    for (const line of lines) {
      const found = joined.indexOf(line, at);
      assert.ok(found >= 0, `missing or out of order: ${line.slice(0, 40)}`);
      at = found + line.length;
    }
    assert.ok(joined.length - long.length < 100, 'only fence lines were added');
  });

  it('never pings: channel, here, everyone, user groups and invented users are defused', async () => {
    const messages = await ask('C702', 'ping people', () =>
      reply.text('Hey <!channel> and <!here> and <!everyone>, ask <!subteam^S123|@oncall> or <@U777> — thanks <@U1>!'),
    );
    const text = visibleText(messages).join('');
    for (const ping of ['<!channel>', '<!here>', '<!everyone>', '<!subteam^', '<@U777>']) assert.ok(!text.includes(ping), `${ping} in ${text}`);
    assert.ok(text.includes('<@U1>'), 'the asker may be mentioned');
    assert.match(text, /channel/);
  });

  it('falls back to posted messages when Slack ends the stream during a long tool call, keeping all text', async () => {
    const messages = await ask('C703', 'long job', (i) =>
      i === 0
        ? reply.tools([{ id: 'toolu_long', name: 'toy__slow', input: { ms: 1000 } }], { text: 'Starting the long job.' })
        : reply.text('The long job finished.', { stream: { chunks: 4 } }),
    );
    const text = visibleText(messages).join('\n');
    assert.match(text, /Starting the long job\./);
    assert.match(text, /The long job finished\./);
    assert.match(text, /toy\/slow/);
    assert.ok(h.slack.calls().some((c) => c.response?.error === 'message_not_in_streaming_state'), 'the stream really ended');
    assert.ok(messages.some((m) => !m.stream), 'a posted message took over');
  });

  it('survives Slack answering 429 with Retry-After', async () => {
    h.slack.failNext('chat.startStream', { status: 429, retryAfter: 1 });
    h.slack.failNext('chat.appendStream', { status: 429, retryAfter: 1 });
    const messages = await ask('C704', 'busy', () => reply.text('Answer after a rate limit, complete.', { stream: { chunks: 5, durationMs: 300 } }));
    assert.match(visibleText(messages).join(''), /Answer after a rate limit, complete\./);
    assert.ok(h.slack.calls('chat.startStream').some((c) => c.status === 429));
  });

  it('tells a model failure in one plain sentence, and keeps serving', async () => {
    const failed = await ask('C705', 'fail', () => reply.error(500, { message: 'boom' }));
    const text = visibleText(failed).join('');
    assert.match(text, /:warning:/);
    assert.doesNotMatch(text, /\n\s+at |Error:|boom/);
    const after = await ask('C705', 'again', () => reply.text('Back to normal.'));
    assert.match(visibleText(after).join(''), /Back to normal\./);
  });

  it('reports a tool whose server is missing as failed, and still answers', async () => {
    const messages = await ask('C706', 'use broken', (i) =>
      i === 0 ? reply.tools([{ id: 'toolu_b', name: 'broken__anything', input: {} }]) : reply.text('That tool is not available.'),
    );
    const streamed = messages.find((m) => m.stream);
    assert.equal(streamed?.tasks[0]?.status, 'error');
    assert.match(visibleText(messages).join(''), /That tool is not available\./);
    assert.deepEqual(h.anthropic.rejections, []);
  });

  it('acknowledges a feedback click and logs it with the conversation key', async () => {
    const messages = await ask('C707', 'rate me', () => reply.text('Rate this.'));
    const answer = messages.find((m) => m.stream);
    assert.ok(answer, 'a streamed answer');
    assert.ok(answer.blocks?.some((b) => b.type === 'context_actions'), 'feedback buttons under the answer');
    const payload = blockActionsPayload({ action_id: 'answer_feedback', value: 'good', user: 'U1', channel: 'C707', message_ts: answer.ts, thread_ts: answer.thread_ts });
    const response = await postInteraction(`${h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET });
    assert.equal(response.status, 200);
    await h.slack.waitUntil(() => h.logLines.some((l) => l.includes('answer feedback')), 5000);
    const line = JSON.parse(h.logLines.find((l) => l.includes('answer feedback')) ?? '{}') as Record<string, unknown>;
    assert.equal(line.conversation, `T0FAKE0001:C707:${answer.thread_ts}`);
    assert.equal(line.value, 'good');
  });
});

describe('slack: long tool calls', () => {
  let h: Harness;
  let next: (callIndex: number) => ReplySpec = () => reply.text('ok');
  before(async () => {
    h = await startHarness({
      script: (_request, i) => next(i),
      servers: { everything: EVERYTHING_SERVER, toy: TOY_SERVER },
      env: { POLICY_CONFIG: NO_APPROVALS },
      slack: { streamIdleMs: 400 },
      keepAliveMs: 100,
    });
  });
  after(() => h.stop());

  it('keeps the stream open through a long silent tool call', async () => {
    const ts = nextTs();
    const first = h.anthropic.calls.length;
    next = (i) => (i === first ? reply.tools([{ id: 'toolu_quiet', name: 'toy__slow', input: { ms: 1200 } }], { text: 'Working on it.' }) : reply.text('All done.'));
    await h.mention({ channel: 'C710', user: 'U1', text: '<@U0FAKEBOT1> slow job', ts });
    await h.slack.waitFor((c) => marksAnswerDone(c, 'C710', ts), 15_000);
    const messages = h.slack.messages('C710', ts).filter((m) => m.user === 'U0FAKEBOT1');
    assert.equal(messages.length, 1, 'one streamed message, no fallback');
    assert.equal(messages[0]?.stream, 'stopped');
    assert.match(messages[0]?.markdown_text ?? '', /Working on it\.\n\nAll done\./);
    assert.ok(!h.slack.calls().some((c) => c.response?.error === 'message_not_in_streaming_state'));
  });

  it('shows a running tool\'s progress in its note', async () => {
    const ts = nextTs();
    const first = h.anthropic.calls.length;
    next = (i) =>
      i === first ? reply.tools([{ id: 'toolu_prog', name: 'everything__trigger-long-running-operation', input: { duration: 2, steps: 4 } }]) : reply.text('Finished.');
    await h.mention({ channel: 'C711', user: 'U1', text: '<@U0FAKEBOT1> progress', ts });
    await h.slack.waitFor((c) => marksAnswerDone(c, 'C711', ts), 15_000);
    const progress = h.slack
      .calls('chat.appendStream')
      .flatMap((c): unknown[] => (Array.isArray(c.body.chunks) ? (c.body.chunks as unknown[]) : []))
      .filter((chunk) => JSON.stringify(chunk).includes('toolu_prog') && /"output":"\d\/4/.test(JSON.stringify(chunk)));
    assert.ok(progress.length >= 1, `at least one progress update reached the note: ${JSON.stringify(h.slack.messages('C711', ts))}`);
    assert.equal(h.slack.messages('C711', ts)[0]?.tasks[0]?.status, 'complete');
  });
});
