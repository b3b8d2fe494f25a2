// A question answered again after its first attempt died (intake/resume.ts): the redo's messages
// carry keys of their own (the attempt in the part), so when a post's response is lost and the redo
// looks in the thread for it, it finds its own message, never the dead attempt's. Through a real
// WebClient with the bot's resend rules, against the fake Slack Web API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/log.js';
import { answerPart, findAnswer, questionId, replyMetadata } from '../../src/slack/reply/reply-metadata.js';
import { ReplyWriter } from '../../src/slack/reply/reply-writer.js';
import { slackClientOptions } from '../../src/slack/web/slack-retries.js';
import { feedbackBlocks } from '../../src/slack/answer.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const CHANNEL = 'C0REDO001';

describe('a redo of an interrupted answer', () => {
  let slack: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    slack = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-test', { ...slackClientOptions(slack.apiUrl, { attempts: 3, backoffMs: 10 }), logLevel: webApi.LogLevel.ERROR });
  });
  after(() => slack.close());

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
