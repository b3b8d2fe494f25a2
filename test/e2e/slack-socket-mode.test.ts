// Socket Mode: the same bot over a WebSocket (fake Socket Mode endpoint), with /healthz on PORT too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply, startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { FakeSocketMode } from '../fakes/socket-mode.js';
import { sample } from '../helpers/metrics-text.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { freePort } from '../helpers/bot-process.js';
import { appMention, nextTs } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();


describe('slack: Socket Mode', () => {
  let slack: FakeSlackApi;
  let socket: FakeSocketMode;
  let h: Harness;
  let port: number;
  before(async () => {
    slack = await startFakeSlackApi();
    socket = await FakeSocketMode.start(slack);
    port = await freePort();
    // A question with "next" in it gets its own answer, so a test can tell which question was answered.
    const anthropic = await startFakeAnthropic({
      script: (request) => reply.text(JSON.stringify(request.messages.at(-1)?.content ?? '').includes('next') ? 'The next answer.' : 'Hello over a socket.'),
    });
    h = await startHarness({ servers: {}, socketMode: { port }, fakes: { slack, anthropic } });
    await socket.waitConnected();
  });
  after(async () => {
    await h.stop();
    await socket.close();
  });

  it('acks an event and answers it in the thread', async () => {
    const ts = nextTs();
    const envelopeId = socket.sendEvent(appMention({ channel: 'C900', user: 'U9', text: '<@U0FAKEBOT1> hi', ts }));
    await slack.waitUntil(() => slack.messages('C900', ts).some((m) => m.stream === 'stopped'), 10_000);
    assert.ok(socket.acks.some((a) => a.envelope_id === envelopeId));
    assert.match(slack.messages('C900', ts).find((m) => m.stream)?.markdown_text ?? '', /Hello over a socket\./);
  });

  it('answers a retry envelope it never saw first, and only once when it comes again', async () => {
    const ts = nextTs();
    const event = appMention({ channel: 'C901', user: 'U9', text: '<@U0FAKEBOT1> missed', ts });
    socket.sendEvent(event, 1);
    await slack.waitUntil(() => slack.messages('C901', ts).some((m) => m.stream === 'stopped'), 10_000);
    socket.sendEvent(event, 2);
    // A later message in the same thread is queued behind any duplicate: once it is answered, a
    // duplicate answer would have shown.
    socket.sendEvent(appMention({ channel: 'C901', user: 'U9', text: '<@U0FAKEBOT1> next', thread_ts: ts }));
    await slack.waitUntil(() => slack.messages('C901', ts).some((m) => m.stream === 'stopped' && (m.markdown_text ?? '').includes('The next answer.')), 30_000);
    assert.deepEqual(
      slack.messages('C901', ts).filter((m) => m.stream).map((m) => m.markdown_text),
      ['Hello over a socket.', 'The next answer.'],
      'the missed question answered once, then the next one',
    );
  });

  it('serves /healthz on PORT', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { ready: boolean }).ready, true);
  });

  it('serves /metrics on PORT, with the questions it took over the socket and their acks', async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    // The tests above: "hi", the missed question (its second retry a duplicate) and "next".
    assert.equal(sample(text, 'slackbot_questions_total', { outcome: 'accepted' }), 3);
    assert.equal(sample(text, 'slackbot_ack_duration_seconds_count'), 4);
  });
});
