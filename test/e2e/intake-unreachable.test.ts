// The inbox out of reach (Redis away) when a question arrives: the bot cannot accept it durably, so
// it does not ack it (HTTP 500, and Slack sends it again), and tells the thread once. Slack's retry
// after Redis is back is accepted and answered once; a later retry of it is a duplicate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { startFaultRedisProxy, type FaultRedisProxy } from '../helpers/fault-redis.js';
import { deleteKeysWith, runId, withRedis } from '../helpers/replica-redis.js';
import { appMention, nextTs } from '../helpers/sign.js';

strictSlack();

const RUN = runId();
const STORE_AWAY = ':warning: I cannot reach my store right now, so I cannot answer; please ask again in a minute.';

describe('intake: the inbox out of reach', () => {
  let proxy: FaultRedisProxy;
  let h: Harness;
  let clients: number;
  before(async () => {
    await withRedis((client) => client.ping()); // fail at once, and clearly, without Redis
    proxy = await startFaultRedisProxy();
    h = await startHarness({ storeUrl: proxy.url, servers: {}, script: () => reply.text('Answer to the question.'), env: { LOCK_LEASE_MS: '2000' } });
    clients = proxy.answered();
  });
  after(async () => {
    await h?.stop();
    await proxy?.close();
    await deleteKeysWith(RUN);
  });

  it('leaves the event unacked and says so once; the retry after Redis is back is answered once', async () => {
    const channel = `C${RUN}`;
    const ts = nextTs();
    const envelope = appMention({ channel, user: 'U8', text: '<@U0FAKEBOT1> a question', ts }, { event_id: `Ev${RUN}` });

    proxy.down();
    const first = await h.send(envelope);
    assert.equal(first.status, 500, 'not acked: Slack sends the event again');
    await h.slack.waitUntil(() => h.slack.messages(channel, ts).some((m) => m.text === STORE_AWAY), 30_000);
    assert.equal(h.anthropic.calls.length, 0, 'no turn was started');

    proxy.up();
    await proxy.reconnected(clients);
    const retry = await h.send(envelope, { retryNum: 1 });
    assert.equal(retry.status, 200, "Slack's retry is accepted now");
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= 1, 30_000);
    const late = await h.send(envelope, { retryNum: 2 });
    assert.equal(late.status, 200);
    // A thread's questions go in order: once a next question in it is answered, the late retry was seen.
    await h.mention({ channel, user: 'U8', text: '<@U0FAKEBOT1> next question', thread_ts: ts });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= 2, 30_000);

    const answers = h.slack.messages(channel, ts).filter((m) => m.stream);
    assert.equal(answers.length, 2, 'the question answered once, then the next one');
    assert.match(answers[0]?.markdown_text ?? '', /Answer to the question\./);
    assert.equal(h.slack.messages(channel, ts).filter((m) => m.text === STORE_AWAY).length, 1, 'told once, not again on the retries');
    assert.equal(h.anthropic.calls.length, 2, 'the late retry was a duplicate: no third turn');
  });
});
