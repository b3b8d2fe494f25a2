// The Slack client's resend rules (slack-retries.ts), through a real WebClient against the fake
// Slack Web API: a post is never sent twice on its own, a 429 is still retried after Retry-After,
// and calls that change nothing when repeated are resent after a 5xx or a lost response. A redo of an
// interrupted answer (intake/resume.ts) has keys of its own, so after a lost response it finds its
// own post in the thread, never the dead attempt's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/log.js';
import { feedbackBlocks } from '../../src/slack/answer.js';
import { answerPart, findAnswer, questionId, replyMetadata } from '../../src/slack/reply/reply-metadata.js';
import { ReplyWriter } from '../../src/slack/reply/reply-writer.js';
import { outcomeUnknown, platformError, slackClientOptions } from '../../src/slack/web/slack-retries.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';

const CHANNEL = 'C0RETRY01';

describe('the Slack client resends only what is safe to resend', () => {
  let slack: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    slack = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-test', { ...slackClientOptions(slack.apiUrl, { attempts: 3, backoffMs: 10 }), logLevel: webApi.LogLevel.ERROR });
  });
  after(() => slack.close());

  const postsIn = (thread: string) => slack.messages(CHANNEL, thread).filter((m) => m.ts !== thread);

  it('a post whose response is lost is not sent again, and its outcome is unknown', async () => {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'q' });
    const before = slack.calls('chat.postMessage').length;
    slack.loseResponseNext('chat.postMessage');
    const error: unknown = await client.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: 'once' }).then(() => undefined, (e: unknown) => e);
    assert.ok(error, 'the call failed');
    assert.equal(outcomeUnknown(error), true);
    assert.equal(slack.calls('chat.postMessage').length - before, 1, 'sent once');
    assert.equal(postsIn(root).length, 1, 'the message shows once');
  });

  it('a post answered 500 is not sent again either (Slack may have done it)', async () => {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'q' });
    const before = slack.calls('chat.postMessage').length;
    slack.failNext('chat.postMessage', { status: 500 });
    const error: unknown = await client.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: 'x' }).then(() => undefined, (e: unknown) => e);
    assert.equal(outcomeUnknown(error), true);
    assert.equal(slack.calls('chat.postMessage').length - before, 1);
  });

  it('a platform error is a known outcome: Slack did not do it', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const error: unknown = await client.chat.postMessage({ channel: CHANNEL, text: 'x' }).then(() => undefined, (e: unknown) => e);
    assert.equal(outcomeUnknown(error), false);
    assert.equal(platformError(error), 'channel_not_found');
  });

  it('a 429 is retried after Retry-After, and the post shows once', async () => {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'q' });
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await client.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: 'after the limit' });
    assert.ok(Date.now() - started >= 1000, 'waited Retry-After');
    assert.equal(postsIn(root).length, 1);
  });

  it('chat.update with a lost response, and conversations.replies answered 500 twice, are resent and succeed', async () => {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'q' });
    const posted = await client.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: 'first' });
    slack.loseResponseNext('chat.update');
    await client.chat.update({ channel: CHANNEL, ts: String(posted.ts), text: 'second' });
    assert.equal(slack.message(CHANNEL, String(posted.ts))?.text, 'second');
    const before = slack.calls('conversations.replies').length;
    slack.failNext('conversations.replies', { status: 500 }, 2);
    const replies = await client.conversations.replies({ channel: CHANNEL, ts: root });
    assert.equal(replies.messages?.length, 2);
    assert.equal(slack.calls('conversations.replies').length - before, 3);
  });

  // A question answered again after its first attempt died: the redo's parts carry the attempt.
  it('keeps the first attempt\'s keys as they were, and numbers a later attempt\'s', () => {
    assert.equal(answerPart(0), 'answer:0');
    assert.equal(answerPart(1, 1), 'answer:1');
    assert.equal(answerPart(0, 2), 'answer:0:attempt:2');
  });

  it('finds its own post after a lost response, not the dead attempt\'s, and the answer reads finished', async () => {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'a question' });
    const question = questionId(CHANNEL, root);
    // What the dead attempt left: the first part of a posted answer, not finished.
    const dead = await client.chat.postMessage({ channel: CHANNEL, thread_ts: root, markdown_text: 'Half of the first try', metadata: replyMetadata({ question, part: 'answer:0' }) });

    // The redo: its stream cannot start (it posts instead), and its first post's response is lost.
    slack.failNext('chat.startStream', { error: 'fatal_error' });
    slack.loseResponseNext('chat.postMessage');
    const writer = new ReplyWriter(client, { channel: CHANNEL, threadTs: root, questionTs: root, attempt: 2, recipientTeamId: slack.teamId, recipientUserId: 'U0ASKER01' }, silentLogger);
    await writer.appendText('The whole second answer.');
    await writer.finish(feedbackBlocks('feedback'));

    const bot = slack.messages(CHANNEL, root).filter((m) => m.ts !== root);
    assert.equal(bot.length, 2, 'the dead attempt\'s message and the redo\'s, each once');
    assert.equal(bot[0]?.ts, dead.ts);
    assert.equal(bot[0]?.markdown_text, 'Half of the first try', 'the dead attempt\'s message is not taken over');
    assert.match(bot[1]?.text ?? bot[1]?.markdown_text ?? '', /The whole second answer\./);
    assert.equal(bot[1]?.blocks?.filter((b) => b.type === 'context_actions').length, 1, 'the feedback buttons are under the redo');
    assert.deepEqual(await findAnswer(client, { channel: CHANNEL, threadTs: root, ts: root }), { state: 'finished', ts: bot[1]?.ts });
  });
});
