// /healthz and Slack: ready only while Slack answers and takes the bot's token. The answer of the
// start-up check is remembered and asked again when old (here after 200 ms), so a revoked token or
// a Slack that went away shows as 503 with a `slack` field saying why, and recovery shows too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PlatformError } from '../fakes/slack-api.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';

interface HealthBody {
  ready: boolean;
  slack: { state: string; url?: string; error?: string; variable?: string; answer?: string; check?: string };
}

/** Asks /healthz until `wanted` holds; on timeout says what it waited for and what it last got. */
async function healthUntil(h: Harness, wanted: (status: number, body: HealthBody) => boolean, what: string): Promise<{ status: number; body: HealthBody }> {
  const deadline = Date.now() + 20_000;
  let last: string;
  for (;;) {
    const response = await fetch(`${h.url}/healthz`);
    const body = (await response.json()) as HealthBody;
    if (wanted(response.status, body)) return { status: response.status, body };
    last = `${response.status} ${JSON.stringify(body)}`;
    if (Date.now() > deadline) assert.fail(`/healthz never showed ${what}; last answer: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/healthz and Slack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ servers: {}, slackRecheck: { okMaxAgeMs: 200, failingMaxAgeMs: 200 } });
  });
  after(async () => {
    await h.stop();
  });

  it('is ready with slack "ok" once started', async () => {
    const response = await fetch(`${h.url}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as HealthBody;
    assert.equal(body.ready, true);
    assert.equal(body.slack.state, 'ok');
  });

  it('says 503, not ready, and why, while Slack refuses the token; ready again once it takes it', async () => {
    h.slack.respond('auth.test', () => {
      throw new PlatformError('token_revoked');
    });
    const refused = await healthUntil(h, (status) => status === 503, 'a 503 for the revoked token');
    assert.equal(refused.body.ready, false);
    assert.deepEqual(
      { state: refused.body.slack.state, variable: refused.body.slack.variable, error: refused.body.slack.error, url: refused.body.slack.url },
      { state: 'refused', variable: 'SLACK_BOT_TOKEN', error: 'token_revoked', url: `${h.slack.apiUrl}auth.test` },
    );
    assert.ok(h.logLines.some((line) => /"slack refuses the token"/.test(line) && /token_revoked/.test(line)), 'the log says so once');

    h.slack.respond('auth.test', () => ({ user_id: 'U0FAKEBOT1', bot_id: 'B0FAKEBOT1' }));
    const back = await healthUntil(h, (status) => status === 200, 'a 200 once Slack takes the token again');
    assert.equal(back.body.ready, true);
    assert.equal(back.body.slack.state, 'ok');
  });

  it('says 503 with the URL, what happened and what to check while Slack cannot be reached', async () => {
    const apiUrl = h.slack.apiUrl;
    await h.slack.close();
    const away = await healthUntil(h, (status) => status === 503, 'a 503 once Slack is unreachable');
    assert.equal(away.body.ready, false);
    assert.equal(away.body.slack.state, 'unreachable');
    assert.equal(away.body.slack.url, `${apiUrl}auth.test`);
    assert.match(away.body.slack.answer ?? '', /ECONNREFUSED/);
    assert.match(away.body.slack.check ?? '', /network.*SLACK_API_URL/);
  });
});
