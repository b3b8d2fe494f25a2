// Conversations as people have them: follow-ups in a thread without a new mention, DMs, several
// messages in one thread answered in order, and history that outlives a restart of the bot.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { nextTs } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

/** The model answers with the text of the last user message, so each answer names its question. */
function echoScript(request: MessagesRequest) {
  return reply.text(`You said: ${textOf(request.messages.at(-1))}`);
}

function textOf(message: MessagesRequest['messages'][number] | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('');
}

const userTexts = (request: MessagesRequest | undefined) => (request?.messages ?? []).filter((m) => m.role === 'user').map(textOf);

async function stops(h: Harness, count: number): Promise<void> {
  await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= count, 10_000);
}

describe('slack: conversations', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ script: echoScript, servers: {} });
  });
  after(() => h.stop());

  it('answers a follow-up in an engaged thread without a mention, with the history', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C200', user: 'U1', text: '<@U0FAKEBOT1> my name is Ada', ts: root });
    await stops(h, 1);
    const calls = h.anthropic.calls.length;
    await h.message({ channel: 'C200', user: 'U1', text: 'what is my name?', thread_ts: root });
    await stops(h, 2);
    const request = h.anthropic.calls[calls];
    assert.deepEqual(userTexts(request), ['my name is Ada', 'what is my name?']);
    const answers = h.slack.messages('C200', root).filter((m) => m.stream);
    assert.equal(answers.length, 2);
    assert.match(answers[1]?.markdown_text ?? '', /You said: what is my name\?/);
  });

  it('ignores a plain message in a thread the bot is not part of', async () => {
    const root = nextTs();
    const chatter = nextTs();
    const before = h.anthropic.calls.length;
    const stopsBefore = h.slack.calls('chat.stopStream').length;
    await h.message({ channel: 'C201', user: 'U1', text: 'people talking', thread_ts: root });
    await h.message({ channel: 'C201', user: 'U1', text: 'top-level chatter', ts: chatter });
    // A mention in each of those threads is handled after the message before it (one thread's
    // messages go in order): once both are answered, the two plain messages were seen and dropped.
    await h.mention({ channel: 'C201', user: 'U1', text: '<@U0FAKEBOT1> now you', thread_ts: root });
    await h.mention({ channel: 'C201', user: 'U1', text: '<@U0FAKEBOT1> and you', thread_ts: chatter });
    await stops(h, stopsBefore + 2);
    assert.equal(h.anthropic.calls.length, before + 2);
    assert.deepEqual(h.anthropic.calls.slice(before).map(userTexts).sort(), [['and you'], ['now you']]);
  });

  it('answers DMs, top-level and in a thread, in the thread of the message', async () => {
    const stopsBefore = h.slack.calls('chat.stopStream').length;
    const top = nextTs();
    await h.message({ channel: 'D300', user: 'U2', text: 'hello in a DM', ts: top });
    await stops(h, stopsBefore + 1);
    await h.message({ channel: 'D300', user: 'U2', text: 'and a follow-up', thread_ts: top });
    await stops(h, stopsBefore + 2);
    const thread = h.slack.messages('D300', top).filter((m) => m.stream);
    assert.equal(thread.length, 2);
    assert.match(thread[0]?.markdown_text ?? '', /You said: hello in a DM/);
    assert.match(thread[1]?.markdown_text ?? '', /You said: and a follow-up/);
    assert.deepEqual(userTexts(h.anthropic.calls.at(-1)), ['hello in a DM', 'and a follow-up']);
  });

  it('answers two messages of one thread in order, each seeing the one before', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C202', user: 'U3', text: '<@U0FAKEBOT1> first', ts: root });
    await stops(h, h.slack.calls('chat.stopStream').length + 1);
    const slow = (request: MessagesRequest) => ({ ...echoScript(request), stream: { chunks: 5, durationMs: 300 } });
    h.anthropic.script(slow);
    const before = h.slack.calls('chat.stopStream').length;
    const callsBefore = h.anthropic.calls.length;
    // Both arrive (and are acked) while the first of them is still being answered.
    await h.message({ channel: 'C202', user: 'U3', text: 'second', thread_ts: root });
    await h.message({ channel: 'C202', user: 'U3', text: 'third', thread_ts: root });
    assert.equal(h.slack.calls('chat.stopStream').length, before, 'both were acked before the first answer ended');
    await stops(h, before + 2);
    h.anthropic.script(echoScript);
    const [a, b] = h.anthropic.calls.slice(callsBefore);
    assert.deepEqual(userTexts(a).slice(-1), ['second']);
    assert.deepEqual(userTexts(b), ['first', 'second', 'third']);
    const answers = h.slack.messages('C202', root).filter((m) => m.stream).map((m) => m.markdown_text ?? '');
    assert.equal(answers.length, 3);
    assert.match(answers[1] ?? '', /second/);
    assert.match(answers[2] ?? '', /third/);
  });
});

describe('slack: history across a restart', () => {
  it('keeps the thread history when the bot restarts on the same store', async () => {
    const first = await startHarness({ script: echoScript, servers: {} });
    const root = nextTs();
    await first.mention({ channel: 'C400', user: 'U4', text: '<@U0FAKEBOT1> remember 42', ts: root });
    await first.slack.waitUntil(() => first.slack.calls('chat.stopStream').length >= 1, 10_000);
    await first.bot.stop(5000);

    const second = await startHarness({ script: echoScript, servers: {}, storeUrl: first.storeUrl, fakes: { slack: first.slack, anthropic: first.anthropic } });
    try {
      await second.message({ channel: 'C400', user: 'U4', text: 'what did I ask you to remember?', thread_ts: root });
      await second.slack.waitUntil(() => second.slack.calls('chat.stopStream').length >= 2, 10_000);
      assert.deepEqual(userTexts(second.anthropic.calls.at(-1)), ['remember 42', 'what did I ask you to remember?']);
    } finally {
      await second.stop();
    }
  });
});
