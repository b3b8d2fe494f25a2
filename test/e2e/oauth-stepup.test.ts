// Step-up authorization from Slack, end to end: the fixture's `notes` tool needs a scope the first
// sign-in did not ask for, and answers 403 insufficient_scope without it. The person is told to ask
// again; the next question gets a Connect prompt for the larger scope, and after the callback it is
// answered. An authorization server that never grants the scope gets at most MAX_STEP_UPS prompts, then
// a plain sentence.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { connectUrl, landOnCallback, whoamiScript } from '../helpers/oauth.js';
import { startAuthFixture, type AuthFixture, type AuthFixtureOptions } from '../fixtures/oauth/auth-fixture.js';
import { MAX_STEP_UPS } from '../../src/mcp/oauth-stepup.js';

strictSlack();

const CHANNEL = 'C500';
const THREAD = '1700000500.000100';

async function start(options: AuthFixtureOptions): Promise<{ auth: AuthFixture; h: Harness }> {
  const auth = await startAuthFixture(options);
  const h = await startHarness({
    servers: { docs: { url: auth.mcpUrl } },
    env: { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
    script: whoamiScript('docs__notes'),
  });
  return { auth, h };
}

/** The person's n-th streamed answer in the thread, once it is finished. */
async function answer(h: Harness, n: number): Promise<string> {
  const nth = () => h.slack.messages(CHANNEL, THREAD).filter((m) => m.stream)[n];
  await h.slack.waitFor((call) => call.method === 'chat.stopStream' && call.body.ts === nth()?.ts, 30_000);
  return nth()?.markdown_text ?? '';
}

/** Asks in the thread, waits for a new Connect prompt, signs in as alice and lands on the callback. */
async function askAndConnect(h: Harness, auth: AuthFixture, ts: string): Promise<string> {
  const prompts = h.slack.ephemerals().length;
  await h.mention({ channel: CHANNEL, user: 'U500', text: '<@U0FAKEBOT1> read my notes', ts, ...(ts === THREAD ? {} : { thread_ts: THREAD }) });
  await h.slack.waitFor(() => h.slack.ephemerals().length > prompts, 30_000);
  const url = connectUrl(h, 'U500');
  const page = await landOnCallback(h, await auth.signIn(url, 'alice'));
  assert.equal(page.status, 200);
  return url;
}

describe('oauth: step-up on insufficient_scope', () => {
  let auth: AuthFixture;
  let h: Harness;
  before(async () => ({ auth, h } = await start({ toolScope: 'notes' })));
  after(async () => {
    await h.stop();
    await auth.close();
  });

  it('tells the person to ask again, then prompts for the union of the scopes and answers after the callback', async () => {
    const first = await askAndConnect(h, auth, THREAD);
    assert.equal(new URL(first).searchParams.get('scope'), 'tools');
    assert.match(await answer(h, 0), /needs more permissions for this than your account granted the bot; ask again/);

    const second = await askAndConnect(h, auth, '1700000500.000200');
    assert.equal(new URL(second).searchParams.get('scope'), 'tools notes', 'the granted scope and the one the server asked for');
    assert.match(JSON.stringify(h.slack.ephemerals().at(-1)), /needs more permissions than your account granted me/);
    assert.match(await answer(h, 1), /notes of alice/);
  });
});

describe('oauth: step-up limit', () => {
  let auth: AuthFixture;
  let h: Harness;
  before(async () => ({ auth, h } = await start({ toolScope: 'notes', withholdToolScope: true })));
  after(async () => {
    await h.stop();
    await auth.close();
  });

  it(`prompts at most ${MAX_STEP_UPS} times for a scope the server never grants, then says so plainly`, async () => {
    await askAndConnect(h, auth, THREAD);
    for (let round = 1; round <= MAX_STEP_UPS; round++) {
      assert.match(await answer(h, round - 1), /ask again and you will be offered Connect/);
      await askAndConnect(h, auth, `1700000500.00${100 + round}0`);
    }
    assert.match(await answer(h, MAX_STEP_UPS), /needs permissions for this that the bot could not get/);
    const prompts = h.slack.ephemerals().length;
    assert.equal(prompts, 1 + MAX_STEP_UPS, 'the first sign-in and one prompt per step-up');

    await h.mention({ channel: CHANNEL, user: 'U500', text: '<@U0FAKEBOT1> read my notes', ts: '1700000500.009000', thread_ts: THREAD });
    assert.match(await answer(h, MAX_STEP_UPS + 1), /needs permissions for this that the bot could not get/);
    assert.equal(h.slack.ephemerals().length, prompts, 'no prompt past the limit');
  });
});
