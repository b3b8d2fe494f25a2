// Per-person limits through the real bot (Bolt over HTTP, the sqlite inbox, the fake model), from the
// attacker's side: one person sends 20 questions at once, in 20 threads, with a policy that answers
// 5 a minute. Every one is acked; 5 are answered; each of the other 15 gets one sentence saying why,
// and Claude is never called for them. Someone else asking meanwhile is answered.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { nextTs } from '../helpers/sign.js';
import { marksAnswerDone } from '../helpers/answer-done.js';

strictSlack();

const SENTENCE = 'You have asked 5 questions in the last minute, the most this bot answers for one person; please wait a minute, then ask again.';

describe('policy limits in Slack: one person, many questions', () => {
  let h: Harness;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bot-limits-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ limits: { questionsPerMinute: 5 } }));
    h = await startHarness({ servers: {}, env: { POLICY_CONFIG: policyFile }, script: () => reply.text('Here is your answer.') });
  });
  after(() => h.stop());

  it('answers 5 of 20 questions sent in a minute and tells the other 15 in one sentence', async () => {
    const threads = Array.from({ length: 20 }, (_, i) => ({ channel: `CL${i}`, ts: nextTs() }));
    const sent = await Promise.all(threads.map(({ channel, ts }) => h.mention({ channel, user: 'U0SPAM1', text: '<@U0FAKEBOT1> one more question', ts })));
    assert.deepEqual(sent.map((s) => s.response.status), threads.map(() => 200), 'every question is acked');
    const answered = ({ channel, ts }: (typeof threads)[number]) => h.slack.messages(channel, ts).some((m) => m.stream === 'stopped');
    const told = ({ channel, ts }: (typeof threads)[number]) => h.slack.messages(channel, ts).some((m) => (m.text ?? '').includes(SENTENCE));
    await h.slack.waitUntil(() => threads.every((t) => answered(t) || told(t)), 60_000);
    assert.equal(threads.filter(answered).length, 5);
    assert.equal(threads.filter(told).length, 15);
    assert.equal(threads.filter((t) => answered(t) && told(t)).length, 0);
    assert.equal(h.anthropic.calls.length, 5, 'Claude was asked only for the answered ones');

    const other = { channel: 'CL-OTHER', ts: nextTs() };
    await h.mention({ channel: other.channel, user: 'U0CALM1', text: '<@U0FAKEBOT1> a question', ts: other.ts });
    await h.slack.waitUntil(() => answered(other), 30_000);
  });
});

describe('policy limits in Slack: one person, many answers at once', () => {
  let h: Harness;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bot-limits-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ limits: { turnsInFlight: 2 } }));
    // Claude answers only once the test lets it: the first answers stay in flight meanwhile.
    h = await startHarness({ servers: {}, env: { POLICY_CONFIG: policyFile }, script: () => held.then(() => reply.text('Here is your answer.')) });
  });
  after(() => {
    release();
    return h.stop();
  });

  it('writes 2 answers at once for one person, tells the others in one sentence, and takes more once one is done', async () => {
    const threads = Array.from({ length: 4 }, (_, i) => ({ channel: `CF${i}`, ts: nextTs() }));
    await Promise.all(threads.map(({ channel, ts }) => h.mention({ channel, user: 'U0BUSY1', text: '<@U0FAKEBOT1> a slow question', ts })));
    const sentence = 'I am already answering 2 questions of yours; please wait until one is done, then ask again.';
    const told = ({ channel, ts }: (typeof threads)[number]) => h.slack.messages(channel, ts).some((m) => (m.text ?? '').includes(sentence));
    const answered = ({ channel, ts }: (typeof threads)[number]) => h.slack.messages(channel, ts).some((m) => m.stream === 'stopped');
    await h.slack.waitUntil(() => threads.filter(told).length === 2, 60_000);
    // Polled: the fake Slack's waitUntil looks again only when a Slack call comes, and none comes while Claude is held.
    await modelCalls(h, 2);
    assert.equal(h.anthropic.calls.length, 2, 'Claude is asked only for the 2 answers in flight');
    release();
    await h.slack.waitUntil(() => threads.filter(answered).length === 2, 60_000);
    assert.equal(threads.filter((t) => answered(t) && told(t)).length, 0);
    // The answers' turns are over once they read done (their slots are given back before that).
    const cleared = (t: (typeof threads)[number]) => h.slack.calls().some((c) => marksAnswerDone(c, t.channel, t.ts));
    await h.slack.waitUntil(() => threads.filter(answered).every(cleared), 30_000);

    const later = { channel: 'CF-LATER', ts: nextTs() };
    await h.mention({ channel: later.channel, user: 'U0BUSY1', text: '<@U0FAKEBOT1> one more', ts: later.ts });
    await h.slack.waitUntil(() => answered(later), 30_000);
  });
});

/** Resolves once Claude has been asked `n` times; fails after 60 s, saying how many calls came. */
async function modelCalls(h: Harness, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (h.anthropic.calls.length < n) {
    if (Date.now() > deadline) throw new Error(`Claude was asked ${h.anthropic.calls.length} times in 60 s, not ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
