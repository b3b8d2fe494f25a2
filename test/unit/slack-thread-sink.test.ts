// ThreadSink + ReplyWriter against the fake Slack Web API through the real WebClient: what a thread
// shows for a sequence of agent events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/log.js';
import { findAnswer } from '../../src/slack/reply/reply-metadata.js';
import { ReplyWriter } from '../../src/slack/reply/reply-writer.js';
import { ThreadSink } from '../../src/slack/reply/thread-sink.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { nextTs } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const usage = { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

describe('ThreadSink', () => {
  let slack: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    slack = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  after(() => slack.close());

  function sinkFor(channel: string, thread: string, flushIntervalMs = 60_000, maxMessageChars = 11_000) {
    const writer = new ReplyWriter(client, { channel, threadTs: thread, recipientTeamId: 'T1', recipientUserId: 'U1' }, silentLogger, { maxMessageChars });
    return new ThreadSink(writer, silentLogger, { flushIntervalMs, allowedUserIds: new Set(['U1']), finalBlocks: () => [], progressIntervalMs: 0, keepAliveMs: 60_000 });
  }

  it('sends the first words at once, without waiting for the flush interval', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread);
    sink.emit({ type: 'text', delta: 'Hello there ' });
    await slack.waitFor((c) => c.method === 'chat.startStream' && c.body.thread_ts === thread, 2000);
    sink.emit({ type: 'done', text: 'Hello there', stopReason: 'end_turn', usage, rounds: 1 });
    await sink.settled();
  });

  it('defuses a ping even when the model streams it in pieces', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread, 0);
    for (const delta of ['Attention <!chan', 'nel> and <!subteam^S1|@on ', 'call> now, and <@U', '999> too, thanks <@U1>']) {
      sink.emit({ type: 'text', delta });
      await new Promise((r) => setImmediate(r));
    }
    sink.emit({ type: 'done', text: '', stopReason: 'end_turn', usage, rounds: 1 });
    await sink.settled();
    const text = slack.messages('C1', thread).map((m) => m.markdown_text ?? '').join('');
    assert.ok(!text.includes('<!channel>') && !text.includes('<!subteam') && !text.includes('<@U999>'), text);
    assert.ok(text.includes('<@U1>'));
  });

  it('shows tool calls as tasks and starts a new paragraph after them', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread, 0);
    sink.emit({ type: 'text', delta: 'Let me look.' });
    sink.emit({ type: 'tool_started', id: 't1', server: 'files', tool: 'read', input: { path: '/a' } });
    sink.emit({ type: 'tool_finished', id: 't1', server: 'files', tool: 'read', ok: false, durationMs: 1200, summary: 'no such file' });
    sink.emit({ type: 'text', delta: 'It is not there.' });
    sink.emit({ type: 'done', text: 'It is not there.', stopReason: 'end_turn', usage, rounds: 2 });
    await sink.settled();
    const [message] = slack.messages('C1', thread);
    assert.equal(message?.markdown_text, 'Let me look.\n\nIt is not there.');
    assert.equal(message?.tasks[0]?.title, 'files/read');
    assert.equal(message?.tasks[0]?.status, 'error');
    assert.match(message?.tasks[0]?.output ?? '', /failed in 1\.2 s: no such file/);
  });

  it('adds the notice of an incomplete answer, and says so when there is no answer at all', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread, 0);
    sink.emit({ type: 'text', delta: 'Partial answer' });
    sink.emit({ type: 'done', text: 'Partial answer', stopReason: 'max_tokens', notice: 'The answer was cut at the length limit.', usage, rounds: 1 });
    await sink.settled();
    assert.match(slack.messages('C1', thread)[0]?.markdown_text ?? '', /Partial answer\n\n_The answer was cut at the length limit\._/);

    const empty = nextTs();
    const silent = sinkFor('C1', empty, 0);
    silent.emit({ type: 'done', text: '', stopReason: 'end_turn', usage, rounds: 1 });
    await silent.settled();
    assert.match(slack.messages('C1', empty)[0]?.markdown_text ?? '', /no answer/);
  });

  it('rolls over to a new message at the size limit without losing text', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread, 0, 500);
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`);
    for (const word of words) sink.emit({ type: 'text', delta: word + ' ' });
    sink.emit({ type: 'done', text: '', stopReason: 'end_turn', usage, rounds: 1 });
    await sink.settled();
    const messages = slack.messages('C1', thread);
    assert.ok(messages.length >= 3);
    for (const m of messages) assert.ok((m.markdown_text ?? '').length <= 500);
    assert.equal(messages.map((m) => m.markdown_text).join('').trim(), words.join(' '));
  });

  /** The Slack calls made for a thread's reply, in order. */
  const callsIn = (thread: string, since: number) =>
    slack
      .calls()
      .slice(since)
      .filter((c) => c.body.thread_ts === thread || slack.messages('C1', thread).some((m) => m.ts === c.body.ts))
      .map((c) => c.method);

  it('a quick answer takes two calls: the first words start the stream, the rest rides on the stop', async () => {
    const thread = nextTs();
    const since = slack.calls().length;
    const sink = sinkFor('C1', thread);
    sink.emit({ type: 'text', delta: 'Hello there ' });
    await slack.waitFor((c) => c.method === 'chat.startStream' && c.body.thread_ts === thread, 2000);
    sink.emit({ type: 'text', delta: 'and the rest.' });
    sink.emit({ type: 'done', text: 'Hello there and the rest.', stopReason: 'end_turn', usage, rounds: 1 });
    await sink.settled();
    assert.deepEqual(callsIn(thread, since), ['chat.startStream', 'chat.stopStream']);
    const [message] = slack.messages('C1', thread);
    assert.equal(message?.markdown_text, 'Hello there and the rest.');
    assert.equal(message?.stream, 'stopped');
  });

  it('while Slack is slow, the text that comes meanwhile goes out in one append', async () => {
    const thread = nextTs();
    const since = slack.calls().length;
    const sink = sinkFor('C1', thread, 0);
    slack.setLatency(150);
    try {
      sink.emit({ type: 'text', delta: 'One ' });
      await slack.waitFor((c) => c.method === 'chat.startStream' && c.body.thread_ts === thread, 2000);
      for (const delta of ['two ', 'three ', 'four ']) {
        sink.emit({ type: 'text', delta });
        await new Promise((r) => setImmediate(r));
      }
      await slack.waitFor((c) => c.method === 'chat.appendStream' && c.status === 200 && slack.messages('C1', thread).some((m) => m.ts === c.body.ts), 2000);
      sink.emit({ type: 'done', text: '', stopReason: 'end_turn', usage, rounds: 1 });
      await sink.settled();
    } finally {
      slack.setLatency(0);
    }
    assert.deepEqual(callsIn(thread, since), ['chat.startStream', 'chat.appendStream', 'chat.stopStream']);
    assert.equal(slack.messages('C1', thread)[0]?.markdown_text, 'One two three four ');
  });

  it('a stop Slack refuses: the last words are posted instead, and the answer is whole and marked done', async () => {
    const thread = nextTs();
    const sink = sinkFor('C1', thread);
    sink.emit({ type: 'text', delta: 'Hello ' });
    await slack.waitFor((c) => c.method === 'chat.startStream' && c.body.thread_ts === thread, 2000);
    slack.failNext('chat.stopStream', { error: 'internal_error' });
    sink.emit({ type: 'text', delta: 'and goodbye.' });
    sink.emit({ type: 'done', text: 'Hello and goodbye.', stopReason: 'end_turn', usage, rounds: 1 });
    await sink.settled();
    const messages = slack.messages('C1', thread);
    assert.equal(messages.map((m) => m.markdown_text ?? m.text ?? '').join(''), 'Hello and goodbye.');
    assert.equal(messages.length, 2);
    assert.equal((await findAnswer(client, { channel: 'C1', threadTs: thread, ts: thread })).state, 'finished');
  });
});
