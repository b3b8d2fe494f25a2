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
