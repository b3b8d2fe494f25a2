// The App Home tab and /mcp: servers with their state and tools, the person's recent threads, and
// forgetting a thread's history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { nextTs, signRequest, blockActionsPayload, postInteraction } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('slack: App Home and /mcp', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ script: (request) => reply.text(`Seen ${request.messages.length} messages.`) });
  });
  after(() => h.stop());

  async function slashCommand(text: string, user = 'U1'): Promise<Response> {
    const body = new URLSearchParams({
      command: '/mcp',
      text,
      user_id: user,
      team_id: 'T0FAKE0001',
      channel_id: 'C100',
      response_url: h.slack.responseUrl('cmd'),
      trigger_id: '1.2',
      api_app_id: 'A0FAKEAPP1',
      token: 'legacy',
    }).toString();
    return fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(TEST_SIGNING_SECRET, body) },
      body,
    });
  }

  it('publishes a Home tab with the servers, their tools, and the recent threads', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C100', user: 'U1', text: '<@U0FAKEBOT1> what servers are there?', ts: root });
    await h.slack.waitUntil(() => h.slack.messages('C100', root).some((m) => m.stream === 'stopped'), 10_000);
    const view = await openHome(h, 'U1', 'D1');
    assert.match(view, /everything.*up/);
    assert.match(view, /`echo`/);
    assert.match(view, /what servers are there\?/);
  });

  it('answers /mcp with the same overview, only to the person', async () => {
    const response = await slashCommand('');
    assert.equal(response.status, 200);
    const reply = await h.slack.waitFor((c) => c.method === 'response_url', 5000);
    assert.equal(reply.body.response_type, 'ephemeral');
    assert.match(JSON.stringify(reply.body.blocks), /everything/);
  });

  it('forgets a thread by its link, and the next message there starts afresh', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C101', user: 'U1', text: '<@U0FAKEBOT1> remember me', ts: root });
    await h.slack.waitUntil(() => h.slack.messages('C101', root).some((m) => m.stream === 'stopped'), 10_000);
    h.slack.clearCalls();
    await slashCommand(`forget https://fake.slack.com/archives/C101/p${root.replace('.', '')}`);
    const answer = await h.slack.waitFor((c) => c.method === 'response_url', 5000);
    assert.match(String(answer.body.text), /forgotten/);
    await h.message({ channel: 'C101', user: 'U1', text: 'do you remember?', thread_ts: root });
    await h.slack.waitUntil(() => h.slack.messages('C101', root).filter((m) => m.stream === 'stopped').length === 2, 10_000);
    assert.equal(h.anthropic.calls.at(-1)?.messages.length, 1);
  });

  it('refuses to forget a thread the person never asked in', async () => {
    const root = nextTs();
    await h.mention({ channel: 'C102', user: 'U1', text: '<@U0FAKEBOT1> mine', ts: root });
    await h.slack.waitUntil(() => h.slack.messages('C102', root).some((m) => m.stream === 'stopped'), 10_000);
    h.slack.clearCalls();
    const payload = blockActionsPayload({ action_id: 'forget_thread', value: `T0FAKE0001:C102:${root}`, user: 'U2', channel: 'C102', message_ts: root, response_url: h.slack.responseUrl('f') });
    await postInteraction(`${h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET });
    const answer = await h.slack.waitFor((c) => c.method === 'response_url', 5000);
    assert.match(String(answer.body.text), /only/);
  });
});
