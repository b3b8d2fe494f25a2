// checkSlack sorts Slack's answers: a token problem is "refused" (the start stops, exit 2), the rest
// ("try later" errors, 429, 5xx, no connection) "unreachable" (the start waits, /healthz says 503).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PlatformError, startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { checkSlack, refusedProblem } from '../../src/slack/web/slack-check.js';

const BOT = 'xoxb-check-bot-token';
const APP = 'xapp-1-check-app-token';

describe('checkSlack', () => {
  let slack: FakeSlackApi;
  before(async () => {
    slack = await startFakeSlackApi({ tokens: [BOT] });
    slack.respond('apps.connections.open', () => ({ url: 'wss://fake.slack.test/link' }));
  });
  after(async () => {
    await slack.close();
  });
  const config = () => ({ botToken: BOT, apiUrl: slack.apiUrl });

  it('says ok and who the bot is when Slack takes the token', async () => {
    const { status, identity } = await checkSlack(config(), { appToken: false });
    assert.equal(status.state, 'ok');
    assert.deepEqual(identity, { botUserId: 'U0FAKEBOT1', botId: 'B0FAKEBOT1' });
  });

  it('says refused, naming SLACK_APP_TOKEN, when only the app token is wrong', async () => {
    const { status } = await checkSlack({ ...config(), appToken: APP }, { appToken: true });
    assert.ok(status.state === 'refused', JSON.stringify(status));
    assert.equal(status.variable, 'SLACK_APP_TOKEN');
    assert.equal(status.url, `${slack.apiUrl}apps.connections.open`);
    assert.match(refusedProblem(status), /^SLACK_APP_TOKEN: Slack refused it \(invalid_auth from .*apps\.connections\.open\)\. .*connections:write/);
    // Re-checks leave the app token alone (apps.connections.open hands out a connection URL).
    assert.equal((await checkSlack({ ...config(), appToken: APP }, { appToken: false })).status.state, 'ok');
  });

  it('says refused for a token error, unreachable for errors that mean "try later"', async () => {
    slack.respond('auth.test', () => {
      throw new PlatformError('token_expired');
    });
    try {
      const { status } = await checkSlack(config(), { appToken: false });
      assert.ok(status.state === 'refused', JSON.stringify(status));
      assert.equal(status.error, 'token_expired');
      assert.match(refusedProblem(status), /^SLACK_BOT_TOKEN: Slack refused it \(token_expired from .*auth\.test\)\. .*OAuth & Permissions/);
    } finally {
      slack.respond('auth.test', () => ({ user_id: 'U0FAKEBOT1', bot_id: 'B0FAKEBOT1' }));
    }
    slack.failNext('auth.test', { error: 'internal_error' });
    const transient = (await checkSlack(config(), { appToken: false })).status;
    assert.ok(transient.state === 'unreachable', JSON.stringify(transient));
    assert.equal(transient.answer, 'Slack answered internal_error');
  });

  it('says unreachable, with what Slack answered, on a 429 and on a 500', async () => {
    slack.failNext('auth.test', { status: 429, retryAfter: 7 });
    const limited = (await checkSlack(config(), { appToken: false })).status;
    assert.ok(limited.state === 'unreachable', JSON.stringify(limited));
    assert.equal(limited.answer, 'rate limited, retry after 7 s');
    slack.failNext('auth.test', { status: 500 });
    const broken = (await checkSlack(config(), { appToken: false })).status;
    assert.ok(broken.state === 'unreachable', JSON.stringify(broken));
    assert.match(broken.answer, /^HTTP 500/);
    assert.match(broken.check, /that this host can open http:\/\/127\.0\.0\.1:\d+ /);
  });
});
