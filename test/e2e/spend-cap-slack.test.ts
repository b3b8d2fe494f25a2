// Spend through the real bot (Bolt over HTTP, the sqlite store, the fake model): with a daily cap of
// $1.50 a person and list prices from PRICES_FILE, one answer costs $2.00. The person who spent it is
// told in one sentence on their next question, and Claude is not called; someone else is still
// answered; an approver's App Home shows today's spend per person and channel, and nobody else's does.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { nextTs } from '../helpers/sign.js';

strictSlack();

// 1,000,000 tokens in at $1 and 200,000 out at $5 per million: $2.00 an answer.
const PRICES = { 'claude-sonnet-5-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 } };
const USAGE = { input_tokens: 1_000_000, output_tokens: 200_000, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
const CAP_SENTENCE = /You have used \$2\.00 today, and this bot spends at most \$1\.50 a day for one person; the limit resets at midnight UTC, in \d+ (hours?|minutes?)( \d+ minutes?)?, so please ask again then\./;

describe('spend in Slack: the daily cap and App Home', () => {
  let h: Harness;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bot-spend-'));
    const policyFile = path.join(dir, 'policy.json');
    const pricesFile = path.join(dir, 'prices.json');
    writeFileSync(policyFile, JSON.stringify({ approvers: ['U0BOSS1'], limits: { dailySpendUsd: 1.5 } }));
    writeFileSync(pricesFile, JSON.stringify(PRICES));
    h = await startHarness({
      servers: {},
      env: { POLICY_CONFIG: policyFile, PRICES_FILE: pricesFile, ANTHROPIC_MODEL: 'claude-sonnet-5-5' },
      script: () => reply.text('Here is your answer.', { usage: USAGE }),
    });
  });
  after(() => h.stop());

  const answered = (channel: string, ts: string) => h.slack.messages(channel, ts).some((m) => m.stream === 'stopped');
  /** Polled: the spend is stored after the answer is posted, with no Slack call to wake the fake's waitUntil. */
  async function recorded(n: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (h.logLines.filter((line) => line.includes('"spend recorded"')).length < n) {
      if (Date.now() > deadline) throw new Error(`the spend of ${n} answers was not recorded within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('tells a person past the cap in one sentence without calling Claude, answers others, and shows approvers the spend', async () => {
    const first = { channel: 'CSPEND1', ts: nextTs() };
    await h.mention({ channel: first.channel, user: 'U0SPEND1', text: '<@U0FAKEBOT1> an expensive question', ts: first.ts });
    await h.slack.waitUntil(() => answered(first.channel, first.ts), 60_000);
    await recorded(1);
    assert.equal(h.anthropic.calls.length, 1);

    const capped = { channel: 'CSPEND2', ts: nextTs() };
    await h.mention({ channel: capped.channel, user: 'U0SPEND1', text: '<@U0FAKEBOT1> one more', ts: capped.ts });
    const told = () => h.slack.messages(capped.channel, capped.ts).some((m) => CAP_SENTENCE.test(m.text ?? ''));
    await h.slack.waitUntil(told, 60_000);
    assert.equal(answered(capped.channel, capped.ts), false);
    assert.equal(h.anthropic.calls.length, 1, 'Claude was not asked for the capped question');

    const other = { channel: 'CSPEND1', ts: nextTs() };
    await h.mention({ channel: other.channel, user: 'U0OTHER1', text: '<@U0FAKEBOT1> my question', ts: other.ts });
    await h.slack.waitUntil(() => answered(other.channel, other.ts), 60_000);
    await recorded(2);

    const home = JSON.parse(await openHome(h, 'U0BOSS1')) as { blocks: unknown[] };
    const text = JSON.stringify(home.blocks);
    assert.match(text, /\*Today \(UTC\):\* \$4\.00 · \*Last 7 days:\* \$4\.00/);
    assert.match(text, /1\. <@U0OTHER1> \$2\.00\\n2\. <@U0SPEND1> \$2\.00/);
    // The capped question cost nothing: its channel is not listed.
    assert.match(text, /\*Channels, last 7 days\*\\n1\. <#CSPEND1> \$4\.00"/);

    const asker = await openHome(h, 'U0SPEND1');
    assert.doesNotMatch(asker, /Spend|\$2\.00/, 'only approvers see the spend');
  });
});
