// OAuth sign-in from Slack, end to end: a remote server behind a real authorization server (the MCP
// SDK's auth router, test/fixtures/oauth/auth-fixture.ts) that the servers file names with no token.
// A person's question gets a private Connect button; the browser (fetch) signs in and lands on the
// bot's callback; the waiting question is answered with that person's own token. Two people are two
// identities on the server; a reused or forged state is refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { strictSlack } from '../fakes/slack-strict.js';
import type { Harness } from '../helpers/bot-harness.js';
import { connectUrl, landOnCallback, startOAuthBot, whoamiScript } from '../helpers/oauth.js';
import type { AuthFixture } from '../fixtures/oauth/auth-fixture.js';

strictSlack();

describe('oauth: sign in from Slack', () => {
  let auth: AuthFixture;
  let h: Harness;

  before(async () => {
    ({ auth, h } = await startOAuthBot(whoamiScript('docs__whoami')));
  });
  after(async () => {
    if (process.env.DEBUG_OAUTH) console.log(h.logLines.filter((l) => /warn|error|oauth|tool|mcp/i.test(l)).join('\n'));
    await h.stop();
    await auth.close();
  });

  it('offers Connect, and answers the waiting question after the callback with the person\'s own token', async () => {
    await h.mention({ channel: 'C100', user: 'U100', text: '<@U0FAKEBOT1> who am I on docs?', ts: '1700000100.000100' });
    await h.slack.waitFor((call) => call.method === 'chat.postEphemeral', 30_000);
    assert.equal(h.anthropic.calls.length, 0, 'the question waits: Claude was not asked yet');
    const url = connectUrl(h, 'U100');
    assert.match(url, /code_challenge_method=S256/);
    assert.match(url, /resource=/);
    assert.equal(auth.registered.length, 1, 'the bot registered itself (DCR)');

    const page = await landOnCallback(h, await auth.signIn(url, 'alice'));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Connected, you can close this tab/);

    await h.slack.waitFor((call) => call.method === 'chat.stopStream', 30_000);
    const answer = h.slack.messages('C100', '1700000100.000100').find((m) => m.stream);
    assert.match(answer?.markdown_text ?? '', /you are alice/);
  });

  it('refuses the same callback a second time, and a forged state', async () => {
    const forged = await fetch(`${h.url}/oauth/callback?code=abc&state=${randomBytes(32).toString('base64url')}`);
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /not valid/);

    await h.mention({ channel: 'C100', user: 'U300', text: '<@U0FAKEBOT1> who am I?', ts: '1700000300.000100' });
    await h.slack.waitFor((call) => call.method === 'chat.postEphemeral' && call.body.user === 'U300', 30_000);
    const redirect = await auth.signIn(connectUrl(h, 'U300'), 'carol');
    assert.equal((await landOnCallback(h, redirect)).status, 200);
    const again = await landOnCallback(h, redirect);
    assert.equal(again.status, 400, 'a state works once');
    await h.slack.waitFor((call) => call.method === 'chat.stopStream' && call.body.channel === 'C100' && h.slack.messages('C100', '1700000300.000100').some((m) => m.stream), 30_000);
  });

  it('keeps two people apart: each is their own identity on the server', async () => {
    await h.mention({ channel: 'C200', user: 'U200', text: '<@U0FAKEBOT1> who am I on docs?', ts: '1700000200.000100' });
    await h.slack.waitFor((call) => call.method === 'chat.postEphemeral' && call.body.user === 'U200', 30_000);
    const page = await landOnCallback(h, await auth.signIn(connectUrl(h, 'U200'), 'bob'));
    assert.equal(page.status, 200);
    await h.slack.waitFor((call) => call.method === 'chat.stopStream' && call.body.channel === 'C200', 30_000);
    assert.match(h.slack.messages('C200', '1700000200.000100').find((m) => m.stream)?.markdown_text ?? '', /you are bob/);

    // Alice again, already connected: no button, her own identity.
    const before = h.slack.ephemerals().length;
    await h.mention({ channel: 'C100', user: 'U100', text: '<@U0FAKEBOT1> and now?', ts: '1700000400.000100', thread_ts: '1700000100.000100' });
    const second = () => h.slack.messages('C100', '1700000100.000100').filter((m) => m.stream)[1];
    await h.slack.waitFor((call) => call.method === 'chat.stopStream' && call.body.ts === second()?.ts, 30_000);
    assert.match(second()?.markdown_text ?? '', /you are alice/);
    assert.equal(h.slack.ephemerals().length, before);
    assert.ok(new Set(auth.tokensSeen).size >= 2, 'the server saw different tokens');
  });
});
