// What a person sees of their OAuth accounts outside a question, end to end: App Home lists each
// OAuth server with Connect (a link to a fresh sign-in) or Disconnect; Disconnect revokes the tokens
// at the authorization server (RFC 7009, the fixture's /revoke) and forgets them; /mcp shows the same
// privately; /healthz names the OAuth servers and nothing of any person.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { strictSlack } from '../fakes/slack-strict.js';
import { TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { landOnCallback, startOAuthBot, whoamiScript } from '../helpers/oauth.js';
import { blockActionsPayload, nextTs, postInteraction, postSlashCommand } from '../helpers/sign.js';
import type { AuthFixture } from '../fixtures/oauth/auth-fixture.js';

strictSlack();

/** The URL of the link button in a view or message (JSON). */
function linkOf(json: string): string {
  const match = /"url":"([^"]+)"/.exec(json);
  assert.ok(match?.[1], `a Connect link button: ${json}`);
  return JSON.parse(`"${match[1]}"`) as string;
}

describe('oauth: accounts on App Home, /mcp and /healthz', () => {
  let auth: AuthFixture;
  let h: Harness;

  before(async () => {
    ({ auth, h } = await startOAuthBot(whoamiScript('docs__whoami')));
  });
  after(async () => {
    await h.stop();
    await auth.close();
  });

  it('App Home offers Connect; after the sign-in it says connected, with Disconnect', async () => {
    const first = await openHome(h, 'U500');
    assert.match(first, /Your accounts/);
    assert.match(first, /\*docs\*: not connected/);
    const url = linkOf(first);
    assert.match(url, /code_challenge_method=S256/);

    const page = await landOnCallback(h, await auth.signIn(url, 'erin'));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Connected, you can close this tab/);

    const second = await openHome(h, 'U500');
    assert.match(second, /\*docs\*: connected as you/);
    assert.match(second, /"action_id":"oauth_disconnect"/);
    assert.doesNotMatch(second, /"url":/, 'no Connect link once connected');
  });

  it('/mcp shows the same, only to the person', async () => {
    await postSlashCommand(`${h.url}/slack/events`, { text: '', user: 'U500', channel: 'C500', responseUrl: h.slack.responseUrl('mcp') }, { signingSecret: TEST_SIGNING_SECRET });
    const answer = await h.slack.waitFor((c) => c.method === 'response_url' && JSON.stringify(c.body).includes('Your accounts'), 30_000);
    assert.equal(answer.body.response_type, 'ephemeral');
    assert.match(JSON.stringify(answer.body.blocks), /connected as you.*oauth_disconnect/);
  });

  it('/healthz names the OAuth servers, with nothing of any person', async () => {
    const health = (await (await fetch(`${h.url}/healthz`)).json()) as { oauth?: unknown };
    assert.deepEqual(health.oauth, [{ name: 'docs', state: 'per person' }]);
    assert.doesNotMatch(JSON.stringify(health), /U500|erin/);
  });

  it('Disconnect on App Home revokes the tokens, forgets them, and offers Connect again', async () => {
    const revokedBefore = auth.revoked.length;
    const published = () => h.slack.calls('views.publish').filter((c) => c.body.user_id === 'U500').length;
    const before = published();
    const payload = { ...blockActionsPayload({ action_id: 'oauth_disconnect', value: 'docs', user: 'U500', channel: 'DU500', message_ts: nextTs() }), container: { type: 'view', view_id: 'V500' }, view: { id: 'V500', type: 'home' } };
    assert.equal((await postInteraction(`${h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET })).status, 200);
    await h.slack.waitUntil(() => published() > before, 30_000);
    assert.equal(auth.revoked.length - revokedBefore, 2, 'the refresh and the access token were revoked');
    const view = JSON.stringify(h.slack.homeView('U500'));
    assert.match(view, /\*docs\*: not connected/);
    linkOf(view);

    // A question now gets the Connect prompt: the bot no longer acts as this person.
    await h.mention({ channel: 'C500', user: 'U500', text: '<@U0FAKEBOT1> who am I on docs?', ts: '1700000500.000100' });
    await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === 'U500', 30_000);
    assert.equal(h.anthropic.calls.length, 0, 'the question waits for the sign-in');
  });

  it('Disconnect from /mcp says what happened, privately', async () => {
    const payload = blockActionsPayload({ action_id: 'oauth_disconnect', value: 'nope', user: 'U501', channel: 'C500', message_ts: nextTs(), response_url: h.slack.responseUrl('d') });
    await postInteraction(`${h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET });
    const answer = await h.slack.waitFor((c) => c.method === 'response_url' && JSON.stringify(c.body).includes('nope'), 30_000);
    assert.match(String(answer.body.text), /not a server you sign in to/);
  });
});
