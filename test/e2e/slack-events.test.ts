// Which events get an answer, and how many: Slack's retries and the app_mention/message twins of one
// mention are answered once; bots, edits and forged requests get nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { appMention, messageEvent, nextTs } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('slack: events', () => {
  let h: Harness;
  before(async () => {
    // Each answer quotes its question, so a test can tell which question an answer is for.
    h = await startHarness({ script: (request: MessagesRequest) => reply.text(`Answer to: ${JSON.stringify(request.messages.at(-1)?.content)}`), servers: {} });
  });
  after(() => h.stop());

  let barriers = 0;
  /**
   * Mentions the bot in the thread and waits for that answer. Messages of a thread are answered in
   * order, so by then every event sent to the thread before it has been answered or dropped.
   */
  async function barrier(channel: string, thread?: string): Promise<void> {
    const word = `barrier${++barriers}`;
    const ts = nextTs();
    await h.mention({ channel, user: 'U9', text: `<@U0FAKEBOT1> ${word}`, ts, ...(thread ? { thread_ts: thread } : {}) });
    await h.slack.waitUntil(
      () => h.slack.messages(channel, thread ?? ts).some((m) => m.stream === 'stopped' && (m.markdown_text ?? '').includes(word)),
      10_000,
    );
  }

  const answersIn = (channel: string, thread: string) => h.slack.messages(channel, thread).filter((m) => m.stream).length;

  it('answers a resent event (same event_id, X-Slack-Retry-Num) once', async () => {
    const ts = nextTs();
    const envelope = appMention({ channel: 'C500', user: 'U5', text: '<@U0FAKEBOT1> once please', ts });
    const first = await h.send(envelope);
    const retry = await h.send(envelope, { retryNum: 1 });
    const late = await h.send(envelope, { retryNum: 2 });
    assert.deepEqual([first.status, retry.status, late.status], [200, 200, 200]);
    await barrier('C500', ts);
    assert.equal(answersIn('C500', ts), 2); // the question and the barrier
  });

  it('answers a mention that arrives as both app_mention and message once', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C501', user: 'U5', text: '<@U0FAKEBOT1> start', ts: root });
    await barrier('C501', root);
    const ts = nextTs();
    const input = { channel: 'C501', user: 'U5', text: '<@U0FAKEBOT1> twin', ts, thread_ts: root };
    await Promise.all([h.send(appMention(input)), h.send(messageEvent(input))]);
    await barrier('C501', root);
    assert.equal(answersIn('C501', root), 4); // start, barrier, twin (once), barrier
    const questions = h.anthropic.calls.map((c) => JSON.stringify(c.messages.at(-1))).filter((t) => t.includes('twin'));
    assert.equal(questions.length, 1);
  });

  it('ignores bot messages, its own messages, edits and deletions', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C502', user: 'U5', text: '<@U0FAKEBOT1> hi', ts: root });
    await barrier('C502', root);
    const calls = h.anthropic.calls.length;
    await h.message({ channel: 'C502', user: 'U6', text: 'from another bot', thread_ts: root, bot_id: 'B0OTHER' });
    await h.message({ channel: 'C502', user: 'U0FAKEBOT1', text: 'from myself', thread_ts: root });
    await h.message({ channel: 'C502', user: 'U5', text: 'edited', thread_ts: root, subtype: 'message_changed' });
    await h.message({ channel: 'C502', user: 'U5', text: '', thread_ts: root, subtype: 'message_deleted' });
    await h.message({ channel: 'C502', user: 'U5', text: 'joined', subtype: 'channel_join' });
    await barrier('C502', root);
    assert.equal(h.anthropic.calls.length, calls + 1); // only the barrier
    assert.equal(answersIn('C502', root), 3); // hi, barrier, barrier
  });

  it('reads a message with files for its text', async () => {
    const ts = nextTs();
    await h.message({
      channel: 'D503',
      user: 'U5',
      text: 'what is in this file?',
      ts,
      subtype: 'file_share',
      extra: { files: [{ id: 'F1', name: 'notes.txt' }] },
    });
    await h.slack.waitUntil(() => answersIn('D503', ts) === 1, 10_000);
    assert.match(JSON.stringify(h.anthropic.calls.at(-1)?.messages.at(-1)), /what is in this file\?/);
  });

  it('refuses a forged or stale signature with 401 and answers nothing', async () => {
    const calls = h.anthropic.calls.length;
    const forged = await h.send(appMention({ channel: 'C504', user: 'U5', text: '<@U0FAKEBOT1> forged' }), { badSignature: true });
    const stale = await h.send(appMention({ channel: 'C504', user: 'U5', text: '<@U0FAKEBOT1> stale' }), { stale: true });
    assert.equal(forged.status, 401);
    assert.equal(stale.status, 401);
    await barrier('C504');
    assert.equal(h.anthropic.calls.length, calls + 1);
  });

  it('serves /healthz with the servers and their states', async () => {
    const response = await fetch(`${h.url}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { ready: boolean; servers: unknown[] };
    assert.equal(body.ready, true);
    assert.deepEqual(body.servers, []);
  });
});

describe('slack: dedupe across a restart', () => {
  it('does not answer again when Slack retries an event after the bot restarted', async () => {
    const first = await startHarness({ script: () => reply.text('Once.'), servers: {} });
    const ts = nextTs();
    const envelope = appMention({ channel: 'C600', user: 'U6', text: '<@U0FAKEBOT1> q', ts });
    await first.send(envelope);
    await first.slack.waitUntil(() => first.slack.calls('chat.stopStream').length === 1, 10_000);
    await first.bot.stop(5000);
    const second = await startHarness({ storeUrl: first.storeUrl, servers: {}, fakes: { slack: first.slack, anthropic: first.anthropic } });
    try {
      await second.send(envelope, { retryNum: 3 });
      await second.mention({ channel: 'C601', user: 'U6', text: '<@U0FAKEBOT1> barrier' });
      await second.slack.waitUntil(() => second.slack.calls('chat.stopStream').length === 2, 10_000);
      assert.equal(second.slack.messages('C600', ts).filter((m) => m.stream).length, 1);
    } finally {
      await second.stop();
    }
  });
});
