// The fake Slack Web API, driven by the real WebClient (the one Bolt uses), so what passes here is
// what the bot's own calls will meet: Slack's answers, its limits, its 429s and its streams.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { webApi } from '@slack/bolt';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const TOKEN = 'xoxb-fake-token';
let fake: FakeSlackApi;
let client: webApi.WebClient;

function newClient(options: webApi.WebClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(TOKEN, {
    slackApiUrl: fake.apiUrl,
    logLevel: webApi.LogLevel.ERROR,
    retryConfig: { retries: 0 },
    ...options,
  });
}

/**
 * assert.rejects matcher for a Slack platform error (HTTP 200, ok: false). The error is the one the
 * test asked for, so strictSlack() is told to expect it.
 */
function slackError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof webApi.WebAPIPlatformError, `expected a platform error, got ${String(error)}`);
    assert.equal(error.data.error, code);
    fake.expectError('*', code);
    return true;
  };
}

before(async () => {
  fake = await startFakeSlackApi();
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  client = newClient();
});

describe('fake Slack API: basics', () => {
  test('auth.test answers the bot identity and records the token', async () => {
    const result = await client.auth.test();
    assert.equal(result.team_id, fake.teamId);
    assert.equal(result.user_id, fake.botUserId);
    assert.equal(result.bot_id, fake.botId);
    const call = fake.calls('auth.test').at(-1);
    assert.equal(call?.token, TOKEN);
    assert.equal(call?.status, 200);
  });

  test('chat.postMessage gives unique, increasing ts and decodes nested form fields', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const a = await client.chat.postMessage({ channel: 'C1', text: 'first', blocks });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'second', thread_ts: a.ts });
    assert.ok(a.ts && b.ts);
    assert.ok(Number(b.ts) > Number(a.ts));
    const call = fake.calls('chat.postMessage').find((c) => c.body.text === 'first');
    assert.deepEqual(call?.body.blocks, blocks);
    assert.equal(call?.body.token, undefined);
    const thread = fake.messages('C1', a.ts);
    assert.deepEqual(
      thread.map((m) => m.text),
      ['first', 'second'],
    );
    assert.equal(thread[1]?.user, fake.botUserId);
  });

  test('chat.update and chat.delete change what the thread shows', async () => {
    const parent = fake.addUserMessage({ channel: 'C2', user: 'U1', text: 'question' });
    const reply = await client.chat.postMessage({ channel: 'C2', thread_ts: parent, markdown_text: 'draft' });
    await client.chat.update({ channel: 'C2', ts: reply.ts ?? '', markdown_text: '**final**' });
    const extra = await client.chat.postMessage({ channel: 'C2', thread_ts: parent, text: 'oops' });
    await client.chat.delete({ channel: 'C2', ts: extra.ts ?? '' });
    const thread = fake.messages('C2', parent);
    assert.equal(thread.length, 2);
    assert.equal(thread[0]?.text, 'question');
    assert.equal(thread[1]?.markdown_text, '**final**');
    assert.equal(thread[1]?.edited, true);
    await assert.rejects(client.chat.update({ channel: 'C2', ts: '1.000001', text: 'x' }), slackError('message_not_found'));
    await assert.rejects(client.chat.update({ channel: 'C2', ts: parent, text: 'x' }), slackError('cant_update_message'));
  });

  test('a missing token is not_authed and an unknown method is unknown_method', async () => {
    const anonymous = new webApi.WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 } });
    await assert.rejects(anonymous.auth.test(), slackError('not_authed'));
    await assert.rejects(client.apiCall('nope.nothing'), slackError('unknown_method'));
  });

  test('JSON bodies with a Bearer token are taken as well', async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C3', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    const json = (await response.json()) as { ok: boolean; ts: string };
    assert.equal(json.ok, true);
    assert.deepEqual(fake.message('C3', json.ts)?.blocks, [{ type: 'divider' }]);
  });
});

describe('fake Slack API: limits', () => {
  test('text over 40,000 characters is msg_too_long', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_000) });
    await assert.rejects(client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }), slackError('msg_too_long'));
  });

  test('markdown_text over 12,000 characters is refused', async () => {
    await client.chat.postMessage({ channel: 'C1', markdown_text: 'x'.repeat(12_000) });
    await assert.rejects(
      client.chat.postMessage({ channel: 'C1', markdown_text: 'x'.repeat(12_001) }),
      slackError('markdown_text_too_long'),
    );
  });

  test('a section over 3,000 characters, or more than 50 blocks, is invalid_blocks', async () => {
    const section = (n: number) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'y'.repeat(n) } });
    await client.chat.postMessage({ channel: 'C1', text: 'ok', blocks: [section(3_000)] });
    await assert.rejects(client.chat.postMessage({ channel: 'C1', text: 'no', blocks: [section(3_001)] }), slackError('invalid_blocks'));
    const many = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    await assert.rejects(client.chat.postMessage({ channel: 'C1', text: 'no', blocks: many }), slackError('invalid_blocks'));
  });

  test('markdown_text with text or blocks is invalid_arguments', async () => {
    await assert.rejects(
      client.chat.postMessage({ channel: 'C1', markdown_text: 'a', text: 'b' }),
      slackError('invalid_arguments'),
    );
    await assert.rejects(
      client.apiCall('chat.postMessage', { channel: 'C1', markdown_text: 'a', blocks: [{ type: 'divider' }] }),
      slackError('invalid_arguments'),
    );
    await assert.rejects(client.apiCall('chat.postMessage', { channel: 'C1' }), slackError('no_text'));
  });
});

describe('fake Slack API: failures on demand', () => {
  test('the WebClient waits out a 429 (Retry-After) and the call is recorded twice', async () => {
    const retrying = newClient({ retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    let rateLimited = 0;
    retrying.on(webApi.WebClientEvent.RATE_LIMITED, () => rateLimited++);
    fake.clearCalls();
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const result = await retrying.chat.postMessage({ channel: 'C429', text: 'patience' });
    assert.equal(result.ok, true);
    const calls = fake.calls('chat.postMessage');
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 200],
    );
    assert.equal(calls[0]?.body.text, 'patience');
    assert.equal(rateLimited, 1);
    assert.equal(fake.messages('C429').length, 1);
  });

  test('a 429 carries Retry-After, as Slack sends it', async () => {
    fake.failNext('auth.test', { status: 429, retryAfter: 7 });
    const response = await fetch(`${fake.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
  });

  test('a 500 is an HTTP error, and the WebClient retries it', async () => {
    fake.failNext('auth.test', { status: 500 });
    await assert.rejects(client.auth.test(), (error: unknown) => error instanceof webApi.WebAPIHTTPError && error.statusCode === 500);
    const retrying = newClient({ retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 } });
    fake.failNext('auth.test', { status: 500 });
    assert.equal((await retrying.auth.test()).ok, true);
  });

  test('a platform error for the next N calls, then normal answers', async () => {
    fake.failNext('reactions.add', { error: 'ratelimited_by_test' }, 2);
    const add = () => client.reactions.add({ channel: 'C1', timestamp: '1.000001', name: 'eyes' });
    await assert.rejects(add(), slackError('ratelimited_by_test'));
    await assert.rejects(add(), slackError('ratelimited_by_test'));
    await add();
    assert.deepEqual(fake.reactions('C1', '1.000001'), ['eyes']);
  });

  test('latency delays answers without changing them', async () => {
    fake.setLatency(20);
    try {
      assert.equal((await client.auth.test()).ok, true);
    } finally {
      fake.setLatency(0);
    }
  });

  test('waitFor resolves on a later call and names the calls seen when it times out', async () => {
    const waiting = fake.waitFor((call) => call.method === 'chat.postMessage' && call.body.channel === 'CWAIT');
    await client.chat.postMessage({ channel: 'CWAIT', text: 'here' });
    assert.equal((await waiting).body.text, 'here');
    await assert.rejects(fake.waitFor('views.open', 30), /condition not met after 30 ms; calls so far: .*chat\.postMessage/);
  });
});

describe('fake Slack API: streams', () => {
  const recipient = { recipient_team_id: 'T0FAKE0001', recipient_user_id: 'U1' };

  test('start, append markdown and tasks, stop with blocks: the thread shows the result', async () => {
    const parent = fake.addUserMessage({ channel: 'C10', user: 'U1', text: 'do it' });
    const streamer = client.chatStream({ channel: 'C10', thread_ts: parent, ...recipient, buffer_size: 1 });
    await streamer.append({ markdown_text: 'Hello ' });
    await streamer.append({ chunks: [{ type: 'task_update', id: 't1', title: 'fs/read', status: 'in_progress', details: 'path: "/x"' }] });
    await streamer.append({ chunks: [{ type: 'task_update', id: 't1', title: 'fs/read', status: 'complete', output: 'done in 2 ms' }] });
    await streamer.append({ markdown_text: '**world**' });
    assert.equal(fake.message('C10', streamer.ts ?? '')?.stream, 'streaming');
    const feedback = [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'end' }] }];
    await streamer.stop({ blocks: feedback });

    const [, reply] = fake.messages('C10', parent);
    assert.equal(reply?.markdown_text, 'Hello **world**');
    assert.equal(reply?.stream, 'stopped');
    assert.deepEqual(reply?.tasks, [{ id: 't1', title: 'fs/read', status: 'complete', details: 'path: "/x"', output: 'done in 2 ms' }]);
    assert.deepEqual(reply?.blocks, feedback);
    const start = fake.calls('chat.startStream').at(-1);
    assert.equal(start?.body.recipient_user_id, 'U1');
  });

  test('append or stop after the end, or on an unknown ts, is message_not_in_streaming_state', async () => {
    const start = await client.chat.startStream({ channel: 'C11', thread_ts: '1.000001', ...recipient, markdown_text: 'a' });
    const ts = start.ts as string;
    await client.chat.stopStream({ channel: 'C11', ts });
    await assert.rejects(client.chat.appendStream({ channel: 'C11', ts, markdown_text: 'b' }), slackError('message_not_in_streaming_state'));
    await assert.rejects(client.chat.stopStream({ channel: 'C11', ts }), slackError('message_not_in_streaming_state'));
    await assert.rejects(
      client.chat.appendStream({ channel: 'C11', ts: '9.000009', markdown_text: 'b' }),
      slackError('message_not_in_streaming_state'),
    );
  });

  test('a stream Slack ended keeps its text and can still be edited with chat.update', async () => {
    const start = await client.chat.startStream({ channel: 'C12', thread_ts: '1.000001', ...recipient, markdown_text: 'partial' });
    const ts = start.ts as string;
    fake.expireStream('C12', ts);
    await assert.rejects(client.chat.appendStream({ channel: 'C12', ts, markdown_text: ' more' }), slackError('message_not_in_streaming_state'));
    assert.equal(fake.message('C12', ts)?.stream, 'expired');
    assert.equal(fake.message('C12', ts)?.markdown_text, 'partial');
    await client.chat.update({ channel: 'C12', ts, markdown_text: 'partial more' });
    assert.equal(fake.message('C12', ts)?.markdown_text, 'partial more');
  });

  test('streamIdleMs ends streams that get no append', async () => {
    const idle = await startFakeSlackApi({ streamIdleMs: 5 });
    try {
      const c = new webApi.WebClient(TOKEN, { slackApiUrl: idle.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 } });
      const start = await c.chat.startStream({ channel: 'D1', thread_ts: '1.000001', markdown_text: 'a' });
      await new Promise((r) => setTimeout(r, 30));
      await assert.rejects(c.chat.appendStream({ channel: 'D1', ts: start.ts as string, markdown_text: 'b' }), slackError('message_not_in_streaming_state'));
    } finally {
      await idle.close();
    }
  });

  test('in a channel, startStream needs the recipient; in a DM it does not', async () => {
    await assert.rejects(client.chat.startStream({ channel: 'C13', thread_ts: '1.000001', markdown_text: 'a' }), slackError('invalid_arguments'));
    const dm = await client.chat.startStream({ channel: 'D13', thread_ts: '1.000001', markdown_text: 'a' });
    assert.equal(dm.ok, true);
  });

  test('a stream holds at most 12,000 characters of markdown, and a chunk must be well formed', async () => {
    const start = await client.chat.startStream({ channel: 'D14', thread_ts: '1.000001', markdown_text: 'x'.repeat(11_000) });
    const ts = start.ts as string;
    await assert.rejects(
      client.chat.appendStream({ channel: 'D14', ts, chunks: [{ type: 'markdown_text', text: 'y'.repeat(1_001) }] }),
      slackError('msg_too_long'),
    );
    await client.chat.appendStream({ channel: 'D14', ts, markdown_text: 'y'.repeat(1_000) });
    await assert.rejects(
      client.apiCall('chat.appendStream', { channel: 'D14', ts, chunks: [{ type: 'task_update', id: 't', title: 'x', status: 'running' }] }),
      slackError('invalid_chunks'),
    );
  });
});

describe('fake Slack API: other methods', () => {
  test('setStatus shows until the bot replies; more than 10 loading messages is refused', async () => {
    const parent = fake.addUserMessage({ channel: 'C20', user: 'U1', text: 'q' });
    await client.assistant.threads.setStatus({ channel_id: 'C20', thread_ts: parent, status: 'is thinking…', loading_messages: ['a', 'b'] });
    assert.equal(fake.status('C20', parent), 'is thinking…');
    assert.deepEqual(fake.calls('assistant.threads.setStatus').at(-1)?.body.loading_messages, ['a', 'b']);
    await client.chat.postMessage({ channel: 'C20', thread_ts: parent, text: 'answer' });
    assert.equal(fake.status('C20', parent), undefined);
    const eleven = Array.from({ length: 11 }, (_, i) => `m${i}`);
    await assert.rejects(
      client.assistant.threads.setStatus({ channel_id: 'C20', thread_ts: parent, status: 'x', loading_messages: eleven }),
      slackError('invalid_arguments'),
    );
  });

  test('conversations.replies returns the thread, question included', async () => {
    const parent = fake.addUserMessage({ channel: 'C21', user: 'U1', text: 'question' });
    await client.chat.postMessage({ channel: 'C21', thread_ts: parent, text: 'answer' });
    const replies = await client.conversations.replies({ channel: 'C21', ts: parent });
    assert.deepEqual(
      replies.messages?.map((m) => [m.user, m.text]),
      [
        ['U1', 'question'],
        [fake.botUserId, 'answer'],
      ],
    );
    await assert.rejects(client.conversations.replies({ channel: 'C21', ts: '1.000001' }), slackError('thread_not_found'));
  });

  test('reactions: add, already_reacted, remove, no_reaction', async () => {
    await client.reactions.add({ channel: 'C22', timestamp: '5.000001', name: 'eyes' });
    await assert.rejects(client.reactions.add({ channel: 'C22', timestamp: '5.000001', name: 'eyes' }), slackError('already_reacted'));
    await client.reactions.remove({ channel: 'C22', timestamp: '5.000001', name: 'eyes' });
    await assert.rejects(client.reactions.remove({ channel: 'C22', timestamp: '5.000001', name: 'eyes' }), slackError('no_reaction'));
  });

  test('users.info, chat.postEphemeral and views.publish', async () => {
    const user = await client.users.info({ user: 'U77' });
    assert.equal(user.user?.id, 'U77');
    await assert.rejects(client.users.info({ user: 'nobody' }), slackError('user_not_found'));
    const eph = await client.chat.postEphemeral({ channel: 'C23', user: 'U77', text: 'only you' });
    assert.ok(eph.message_ts);
    assert.equal(fake.ephemerals('C23')[0]?.text, 'only you');
    assert.equal(fake.messages('C23').length, 0);
    await client.views.publish({ user_id: 'U77', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    assert.equal(fake.homeView('U77')?.type, 'home');
  });

  test('respond() replaces a method for one test', async () => {
    fake.respond('team.info', () => ({ team: { id: 'T9', name: 'Nine' } }));
    const team = await client.team.info();
    assert.equal(team.team?.name, 'Nine');
  });
});
