// Lost responses from the Slack Web API, through the real bot: Slack carries a call out, then the
// connection drops before its answer. The bot must not show anything twice: for each of
// chat.postMessage, chat.postEphemeral, chat.startStream, chat.appendStream, chat.stopStream and
// chat.update, the thread looks exactly as the same question's thread does without the fault; the
// same for an approval, a form a server asks for, and a notice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { findAnswer } from '../../src/slack/reply/reply-metadata.js';
import { reply } from '../fakes/anthropic.js';
import type { FakeSlackApi, Json, RecordedCall, VisibleMessage } from '../fakes/slack-api.js';
import { TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { startFaultBot, visibleText, type Asked, type FaultBot } from '../helpers/fault-harness.js';
import { blockActionsPayload, postInteraction } from '../helpers/sign.js';

/** An answer long enough to stream in several appends; words of equal length keep runs alike. */
const longAnswer = (word: string) => `${word}: ` + Array.from({ length: 14 }, (_, i) => `Sentence ${i + 1} about ${word}.`).join(' ') + ` The end of ${word}.`;

/** What a person sees of a question's messages, with its marker word taken out so two runs compare. */
function seen(asked: Asked, word: string): Json[] {
  return asked.messages.map((m: VisibleMessage) => ({
    text: visibleText(m).replaceAll(word, 'WORD').replace(/\s+/g, ' ').trim(),
    // Blocks other than the Markdown of the text: token use and the feedback buttons.
    blocks: (m.blocks ?? []).map((b) => String(b.type)).filter((type) => type !== 'markdown'),
    tasks: m.tasks.map((t) => `${t.title}: ${t.status}`),
    stream: m.stream ?? 'posted',
  }));
}

function lostCalls(slack: FakeSlackApi, method: string, since: number): RecordedCall[] {
  return slack.calls().slice(since).filter((c) => c.method === method && c.lost === true);
}

describe('slack: lost responses never show a message twice', () => {
  let bot: FaultBot;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bot-lost-'));
    const policy = path.join(dir, 'policy.json');
    // echo waits for a click; U0BANNED1 is refused (a notice).
    writeFileSync(policy, JSON.stringify({ users: { deny: ['U0BANNED1'] }, servers: { everything: { requireApproval: ['echo'] } } }));
    bot = await startFaultBot({ env: { POLICY_CONFIG: policy } });
  });
  after(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Asks the same long question twice in fresh threads of `channel`: once with only `setUp`'s faults,
   * once with those plus a lost response of `method`; the two threads must look the same.
   */
  async function compare(channel: string, method: string, setUp: () => void = () => undefined): Promise<void> {
    const clean = `q-${channel.toLowerCase()}-cln`;
    const lossy = `q-${channel.toLowerCase()}-lst`;
    for (const word of [clean, lossy]) bot.plan(word, [reply.text(longAnswer(word), { stream: { chunks: 8, durationMs: 900 } })]);
    setUp();
    const expected = await bot.ask({ channel, word: clean });
    const since = bot.h.slack.calls().length;
    setUp();
    bot.h.slack.loseResponseNext(method);
    const faulty = await bot.ask({ channel, word: lossy });
    assert.equal(lostCalls(bot.h.slack, method, since).length, 1, `a response of ${method} was lost`);
    assert.deepEqual(seen(faulty, lossy), seen(expected, clean), 'the thread looks as without the fault');
    assert.ok(faulty.text.includes(`The end of ${lossy}.`), 'the whole answer arrived');
    assert.equal(faulty.text.split(`Sentence 3 about ${lossy}.`).length, 2, 'no text shows twice');
  }

  /** The stream fails for good at its start (as a workspace that refuses streams): the answer is posted and edited. */
  const streamRefused = () => bot.h.slack.failNext('chat.startStream', { error: 'fatal_error' });

  it('chat.startStream: the bot finds the stream it started and goes on in it', async () => {
    await compare('C9100', 'chat.startStream');
  });

  it('chat.appendStream: the message gets its whole text once', async () => {
    await compare('C9200', 'chat.appendStream');
  });

  it('chat.stopStream: one set of feedback buttons, the answer finished once', async () => {
    await compare('C9300', 'chat.stopStream');
  });

  it('chat.postMessage (a posted answer): the bot finds its message and does not post it again', async () => {
    await compare('C9400', 'chat.postMessage', streamRefused);
  });

  it('chat.update (a posted answer being extended): the message reads the same', async () => {
    await compare('C9500', 'chat.update', streamRefused);
  });

  it('a refusal notice: posted once', async () => {
    const channel = 'C9600';
    const since = bot.h.slack.calls().length;
    bot.h.slack.loseResponseNext('chat.postMessage');
    const refused = await bot.askUntil({ channel, word: 'q-c9600-ref', user: 'U0BANNED1' }, (text) => text.startsWith(':no_entry:'));
    assert.equal(lostCalls(bot.h.slack, 'chat.postMessage', since).length, 1, 'the notice post lost its response');
    // Wait for the next thing that must happen in the thread (an answer to someone allowed), then count.
    await bot.ask({ channel, word: 'q-c9600-next', thread: refused.thread });
    const notices = bot.botMessages(channel, refused.thread, refused.ts).filter((m) => visibleText(m).startsWith(':no_entry:'));
    assert.equal(notices.length, 1, 'one refusal in the thread');
    // The refusal is the whole reply: a resumed copy of this question would find it answered.
    const reader = new webApi.WebClient('xoxb-reader', { slackApiUrl: bot.h.slack.apiUrl });
    assert.equal((await findAnswer(reader, { channel, threadTs: refused.thread, ts: refused.ts })).state, 'finished');
  });

  it('an approval post and the private "not yours" note: each shown once, and the answer goes on', async () => {
    const runs: Record<string, Json[]> = {};
    for (const [channel, lose] of [['C9700', false], ['C9800', true]] as const) {
      const word = `q-${channel.toLowerCase()}-apr`;
      bot.plan(word, [reply.tools([{ id: `toolu_${channel}`, name: 'everything__echo', input: { message: 'hello' } }]), reply.text(`Echoed for ${word}.`)]);
      const since = bot.h.slack.calls().length;
      if (lose) bot.h.slack.loseResponseNext('chat.postMessage');
      const asking = bot.ask({ channel, word });
      const approval = await bot.h.slack.waitFor(
        (c) => c.method === 'chat.postMessage' && c.body.channel === channel && String(c.body.text).startsWith('Approval needed') && c.response?.ok === true,
        15_000,
      );
      const id = /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(approval.body.blocks))?.[1] ?? '';
      const thread = String(approval.body.thread_ts);
      const messageTs = String(approval.response?.ts);
      const click = async (user: string) => {
        const payload = blockActionsPayload({ action_id: 'tool_approve', value: id, user, channel, message_ts: messageTs, thread_ts: thread });
        assert.equal((await postInteraction(`${bot.h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET })).status, 200);
      };
      if (lose) bot.h.slack.loseResponseNext('chat.postEphemeral');
      await click('U0SOMEONE9');
      await bot.h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.channel === channel, 10_000);
      await click('U0ASKER01');
      const asked = await asking;
      if (lose) {
        assert.equal(lostCalls(bot.h.slack, 'chat.postMessage', since).length, 1, 'the approval post lost its response');
        assert.equal(lostCalls(bot.h.slack, 'chat.postEphemeral', since).length, 1, 'the private note lost its response');
      }
      // An ephemeral cannot be read back: it is sent once and never again, lost response or not.
      assert.equal(bot.h.slack.ephemerals(channel).length, 1, 'one private note to the person who may not decide');
      assert.match(asked.text, new RegExp(`Echoed for ${word}\\.`));
      runs[channel] = seen(asked, word);
    }
    assert.deepEqual(runs.C9800, runs.C9700, 'the thread looks as without the faults');
    const approvals = (runs.C9800 ?? []).filter((m) => String(m.text).includes('Approved by'));
    assert.equal(approvals.length, 1, 'one approval message, showing the decision');
  });

  it('a form a server asks for: shown once, and the answer goes on', async () => {
    const runs: Record<string, Json[]> = {};
    for (const [channel, lose] of [['C9900', false], ['C9910', true]] as const) {
      const word = `q-${channel.toLowerCase()}-frm`;
      bot.plan(word, [reply.tools([{ id: `toolu_${channel}`, name: 'everything__trigger-elicitation-request', input: {} }]), reply.text(`Asked for ${word}.`)]);
      const since = bot.h.slack.calls().length;
      if (lose) bot.h.slack.loseResponseNext('chat.postMessage');
      const asking = bot.ask({ channel, word });
      const form = await bot.h.slack.waitFor(
        (c) => c.method === 'chat.postMessage' && c.body.channel === channel && String(c.body.text).includes('asks') && c.response?.ok === true,
        15_000,
      );
      const id = /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(form.body.blocks))?.[1] ?? '';
      const payload = blockActionsPayload({ action_id: 'elicit_decline', value: id, user: 'U0ASKER01', channel, message_ts: String(form.response?.ts), thread_ts: String(form.body.thread_ts) });
      assert.equal((await postInteraction(`${bot.h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET })).status, 200);
      const asked = await asking;
      if (lose) assert.equal(lostCalls(bot.h.slack, 'chat.postMessage', since).length, 1, 'the form post lost its response');
      assert.match(asked.text, new RegExp(`Asked for ${word}\\.`));
      runs[channel] = seen(asked, word);
    }
    assert.deepEqual(runs.C9910, runs.C9900, 'the thread looks as without the fault');
    assert.equal((runs.C9910 ?? []).filter((m) => String(m.text).includes('declined')).length, 1, 'one form, showing how it ended');
  });

  it('every message the bot posted in these threads carries its key, and no key was posted twice', () => {
    const keys = bot.h.slack
      .calls()
      .filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.response?.ok === true)
      .map((c) => JSON.stringify(c.body.metadata ?? null));
    assert.ok(keys.length >= 4, `posts were made (${keys.length})`);
    assert.deepEqual(keys.filter((k) => k === 'null'), [], 'every post carries an idempotency key');
    assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'no key was posted twice');
  });
});
