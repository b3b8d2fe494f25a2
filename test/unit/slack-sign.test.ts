// The signing helper must produce what Slack produces, or every end-to-end test would be testing
// our helper against itself: check it with Bolt's own verification, then drive a real Bolt app
// (HTTPReceiver) with signed events and interactions, its Web API calls going to the fake.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { appMention, blockActionsPayload, messageEvent, postEvent, postInteraction, signRequest } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const SECRET = 'test-signing-secret-0123456789';

function verify(body: string, headers: { 'x-slack-signature': string; 'x-slack-request-timestamp': string }): void {
  verifySlackRequest({
    signingSecret: SECRET,
    body,
    headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
  });
}

describe('signRequest', () => {
  test("passes Bolt's verifySlackRequest", () => {
    const body = JSON.stringify(appMention({ channel: 'C1', user: 'U1', text: 'hi' }));
    verify(body, signRequest(SECRET, body));
  });

  test('a bad signature or a stale timestamp fails it', () => {
    const body = '{"type":"event_callback"}';
    assert.throws(() => verify(body, signRequest(SECRET, body, { badSignature: true })), /signature mismatch/);
    assert.throws(() => verify(body, signRequest(SECRET, body, { stale: true })), /stale/);
    assert.throws(() => verify(body + ' ', signRequest(SECRET, body)), /signature mismatch/);
  });
});

describe('a real Bolt app behind the fake Slack API', () => {
  let fake: FakeSlackApi;
  let app: App;
  let eventsUrl: string;
  const seen: { type: string; retryNum?: number; text?: string }[] = [];
  const clicks: string[] = [];

  before(async () => {
    fake = await startFakeSlackApi();
    app = new App({
      token: 'xoxb-bolt-test',
      signingSecret: SECRET,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.event('app_mention', async ({ event, context, sayStream, setStatus }) => {
      seen.push({ type: 'app_mention', retryNum: context.retryNum, text: event.text });
      await setStatus({ status: 'is thinking…' });
      const stream = sayStream({ buffer_size: 1 });
      await stream.append({ markdown_text: 'Hello ' });
      await stream.append({ markdown_text: 'there' });
      await stream.stop();
    });
    app.message(async ({ message }) => {
      seen.push({ type: `message.${'channel_type' in message ? message.channel_type : '?'}` });
    });
    app.action('feedback', async ({ ack, action, respond }) => {
      await ack();
      clicks.push('value' in action && typeof action.value === 'string' ? action.value : '?');
      await respond({ text: 'Thanks!', response_type: 'ephemeral', replace_original: false });
    });
    const server = (await app.start(0)) as Server;
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  after(async () => {
    await app.stop();
    await fake.close();
  });

  test('a signed app_mention reaches the listener, which streams its answer into the thread', async () => {
    const parent = fake.addUserMessage({ channel: 'C100', user: 'U1', text: `<@${fake.botUserId}> hi` });
    const envelope = appMention({ channel: 'C100', user: 'U1', text: `<@${fake.botUserId}> hi`, ts: parent });
    const response = await postEvent(eventsUrl, envelope, { signingSecret: SECRET });
    assert.equal(response.status, 200);
    await fake.waitFor('chat.stopStream');
    const [, reply] = fake.messages('C100', parent);
    assert.equal(reply?.markdown_text, 'Hello there');
    assert.equal(reply?.stream, 'stopped');
    // Bolt's sayStream filled in the recipient that chat.startStream needs in a channel.
    const start = fake.calls('chat.startStream').at(-1);
    assert.equal(start?.body.recipient_user_id, 'U1');
    assert.equal(start?.body.recipient_team_id, fake.teamId);
    assert.equal(fake.calls('assistant.threads.setStatus').at(-1)?.body.status, 'is thinking…');
  });

  test('a retry carries its number to the listener', async () => {
    const envelope = appMention({ channel: 'C101', user: 'U1', text: 'again' });
    const response = await postEvent(eventsUrl, envelope, { signingSecret: SECRET, retryNum: 1 });
    assert.equal(response.status, 200);
    await fake.waitFor((call) => call.method === 'chat.stopStream' && call.body.channel === 'C101');
    assert.equal(seen.find((s) => s.text === 'again')?.retryNum, 1);
  });

  test('a DM message event arrives with channel_type im', async () => {
    const before = seen.length;
    const response = await postEvent(eventsUrl, messageEvent({ channel: 'D1', user: 'U1', text: 'psst' }), { signingSecret: SECRET });
    assert.equal(response.status, 200);
    await waitUntil(() => seen.length > before);
    assert.equal(seen.at(-1)?.type, 'message.im');
  });

  test('a bad signature and a stale timestamp get 401 and reach no listener', async () => {
    const before = seen.length;
    const bad = await postEvent(eventsUrl, appMention({ channel: 'C102', user: 'U1', text: 'x' }), { signingSecret: SECRET, badSignature: true });
    const stale = await postEvent(eventsUrl, appMention({ channel: 'C102', user: 'U1', text: 'x' }), { signingSecret: SECRET, stale: true });
    assert.equal(bad.status, 401);
    assert.equal(stale.status, 401);
    assert.equal(seen.length, before);
  });

  test('a signed block_actions payload reaches app.action', async () => {
    const payload = blockActionsPayload({
      action_id: 'feedback',
      value: 'good',
      user: 'U1',
      channel: 'C100',
      message_ts: '1.000001',
      response_url: fake.responseUrl('click1'),
    });
    const response = await postInteraction(eventsUrl, payload, { signingSecret: SECRET });
    assert.equal(response.status, 200);
    const reply = await fake.waitFor('response_url');
    assert.deepEqual(clicks, ['good']);
    assert.equal(reply.body.text, 'Thanks!');
    assert.match(String(reply.body.response_url), /\/response\/click1$/);
  });
});

/** Polls a condition that no Web API call marks (listeners that only record). */
async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
