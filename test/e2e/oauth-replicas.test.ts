// The OAuth callback may reach any replica: two bot processes sharing one Redis (STORE_URL=redis://),
// the question asked on one, the browser sent back to the other. The state, the PKCE verifier and the
// registration are in Redis, so the second finishes the sign-in and the waiting question is answered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { connectUrl, landOnCallback, whoamiScript } from '../helpers/oauth.js';
import { startReplica, type Replica } from '../helpers/replica-bots.js';
import { deleteKeysWith, REDIS_URL, runId, withRedis } from '../helpers/replica-redis.js';
import { appMention } from '../helpers/sign.js';
import { startAuthFixture, type AuthFixture } from '../fixtures/oauth/auth-fixture.js';

strictSlack();

const RUN = runId();

describe('oauth: a callback reaching another replica', () => {
  let auth: AuthFixture;
  let slack: FakeSlackApi;
  let anthropic: FakeAnthropic;
  const replicas: Replica[] = [];

  before(async () => {
    await withRedis((client) => client.ping());
    auth = await startAuthFixture();
    slack = await startFakeSlackApi();
    anthropic = await startFakeAnthropic({ script: whoamiScript('docs__whoami') });
    const env = { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const start = (name: string) => startReplica({ name, slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url, storeUrl: REDIS_URL, env, servers: { docs: { url: auth.mcpUrl } } });
    replicas.push(...(await Promise.all([start('one'), start('two')])));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await slack.close();
    await anthropic.close();
    await auth.close();
    await deleteKeysWith(RUN);
  });

  it('finishes the sign-in on the other replica and answers the waiting question', async () => {
    const [one, two] = replicas;
    assert.ok(one && two);
    const channel = `C${RUN}`;
    const user = `U${RUN}`;
    await one.send(appMention({ channel, user, text: '<@U0FAKEBOT1> who am I on docs?', ts: '1700000500.000100' }));
    await slack.waitFor((call) => call.method === 'chat.postEphemeral' && call.body.user === user, 60_000);
    const page = await landOnCallback(two, await auth.signIn(connectUrl({ slack }, user), 'dana'));
    assert.equal(page.status, 200);
    const answer = () => slack.messages(channel, '1700000500.000100').find((m) => m.stream);
    await slack.waitFor((call) => call.method === 'chat.stopStream' && call.body.ts === answer()?.ts, 60_000);
    assert.match(answer()?.markdown_text ?? '', /you are dana/);
  });
});
