// Reading the bot's idempotency keys back from a thread (reply-metadata.ts), against the fake Slack
// Web API through a real WebClient: how far the bot got with a question ('none', 'partial' with the
// message to mark, 'finished'), across pages of a long thread, and only with include_all_metadata.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { findAnswer, findPart, questionId, replyMetadata } from '../../src/slack/reply/reply-metadata.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';

const CHANNEL = 'C0LOOKUP1';

describe('reading the bot\'s replies back from a thread', () => {
  let slack: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    slack = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl });
  });
  after(() => slack.close());

  /** A thread whose root is a question, with `filler` messages of people before the bot answers. */
  function thread(filler = 0): { root: string; question: { channel: string; threadTs: string; ts: string } } {
    const root = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'a question' });
    for (let i = 0; i < filler; i++) slack.addUserMessage({ channel: CHANNEL, user: 'U0OTHER01', text: `chatter ${i}`, thread_ts: root });
    return { root, question: { channel: CHANNEL, threadTs: root, ts: root } };
  }

  const post = (root: string, part: string, done = false, question = root) =>
    client.chat.postMessage({ channel: CHANNEL, thread_ts: root, text: part, metadata: replyMetadata({ question: questionId(CHANNEL, question), part }, done) });

  it('says none before the bot wrote anything', async () => {
    const { question } = thread();
    assert.deepEqual(await findAnswer(client, question), { state: 'none' });
  });

  it('says partial with the last answer message, then finished once the last part is marked done', async () => {
    const { root, question } = thread();
    await post(root, 'approval:1');
    const first = await post(root, 'answer:0');
    const second = await post(root, 'answer:1');
    assert.deepEqual(await findAnswer(client, question), { state: 'partial', ts: second.ts, unstopped: false });
    await client.chat.update({ channel: CHANNEL, ts: String(second.ts), markdown_text: 'the end', metadata: replyMetadata({ question: questionId(CHANNEL, root), part: 'answer:1' }, true) });
    assert.deepEqual(await findAnswer(client, question), { state: 'finished', ts: second.ts });
    assert.equal(await findPart(client, CHANNEL, root, { question: questionId(CHANNEL, root), part: 'answer:0' }), first.ts);
  });

  it('counts a stream that was never stopped (it has no key yet) as partial', async () => {
    const { root, question } = thread();
    const stream = await client.chat.startStream({ channel: CHANNEL, thread_ts: root, recipient_team_id: slack.teamId, recipient_user_id: 'U0ASKER01', markdown_text: 'half an ans' });
    assert.deepEqual(await findAnswer(client, question), { state: 'partial', ts: stream.ts, unstopped: true });
  });

  it('ignores another question\'s messages in the same thread', async () => {
    const { root, question } = thread();
    const later = slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'a follow-up', thread_ts: root });
    await post(root, 'answer:0', true, later);
    assert.deepEqual(await findAnswer(client, question), { state: 'none' });
    assert.equal((await findAnswer(client, { ...question, ts: later })).state, 'finished');
  });

  it('finds the bot\'s message past the first page of a long thread', async () => {
    const { root, question } = thread(450);
    const answer = await post(root, 'answer:0', true);
    const pages = slack.calls('conversations.replies').length;
    assert.deepEqual(await findAnswer(client, question), { state: 'finished', ts: answer.ts });
    assert.equal(slack.calls('conversations.replies').length - pages, 3, '452 messages, 200 a page');
  });

  it('sees no key without include_all_metadata, as Slack does', async () => {
    const { root } = thread();
    await post(root, 'answer:0', true);
    const plain = await client.conversations.replies({ channel: CHANNEL, ts: root });
    assert.equal(plain.messages?.some((m) => m.metadata !== undefined), false);
    const full = await client.conversations.replies({ channel: CHANNEL, ts: root, include_all_metadata: true });
    assert.equal(full.messages?.at(-1)?.metadata?.event_type, 'mcp_bot_reply');
  });
});
