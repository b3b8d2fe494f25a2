// Every door to the servers applies the access policy, tried from the attacker's side: a person the
// policy refuses runs /mcp prompt or opens the Home tab; someone asks in a channel where a server is
// not allowed for its prompt, its resource (resource:<uri>) or its listing; a server's error text
// (which can carry what its stderr said) reaches only the policy's approvers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { EVERYTHING_SERVER, startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { nextTs, postSlashCommand } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHttpFixture, type HttpFixture } from '../fixtures/mcp/http-fixture.js';
import { freePort } from '../fixtures/mcp/test-helpers.js';

strictSlack();

const textOf = (request: MessagesRequest | undefined) => JSON.stringify(request?.messages.at(-1)?.content ?? '');
const DOC_URI = 'demo://resource/static/document/features.md';
/** What the broken server prints before it dies: stands for a path or a token in a server's stderr. */
const LEAK = 'cannot open /srv/secret-vault/key-4711';

async function slash(h: Harness, text: string, user: string, channel: string): Promise<string> {
  h.slack.clearCalls();
  const response = await postSlashCommand(`${h.url}/slack/events`, { text, user, channel, responseUrl: h.slack.responseUrl('cmd') }, { signingSecret: TEST_SIGNING_SECRET });
  assert.equal(response.status, 200);
  const answer = await h.slack.waitFor((c) => c.method === 'response_url', 10_000);
  return JSON.stringify(answer.body);
}


describe('slack: every door applies the policy', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bot-doors-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ users: { deny: ['U0BANNED1'] }, approvers: ['U0APPROVER'], servers: { everything: { channels: ['C0OPEN'] } } }),
    );
    h = await startHarness({
      servers: {
        everything: EVERYTHING_SERVER,
        broken: { command: process.execPath, args: ['-e', `console.error(${JSON.stringify(LEAK)}); process.exit(1)`] },
      },
      env: { POLICY_CONFIG: policyFile },
      script: (request) => reply.text(`Answering: ${textOf(request).slice(0, 200)}`),
    });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a refused person running /mcp prompt only the refusal: no prompt fetched, nothing posted, Claude not asked', async () => {
    const calls = h.anthropic.calls.length;
    const answer = await slash(h, 'prompt everything/args-prompt city=Paris', 'U0BANNED1', 'C0OPEN');
    assert.match(answer, /not on the list of people who may use this bot/);
    assert.doesNotMatch(answer, /Paris|weather/);
    assert.deepEqual(h.slack.calls('chat.postMessage'), [], 'no intro message in the channel');
    assert.equal(h.anthropic.calls.length, calls);
  });

  it('gives a refused person only the refusal for /mcp, /mcp prompts and /mcp resources', async () => {
    for (const verb of ['', 'prompts', 'resources']) {
      const answer = await slash(h, verb, 'U0BANNED1', 'C0OPEN');
      assert.match(answer, /not on the list/, verb);
      assert.doesNotMatch(answer, /everything|broken|args-prompt|demo:/, verb);
    }
  });

  it('shows a refused person a Home tab with only the refusal', async () => {
    const view = await openHome(h, 'U0BANNED1');
    assert.match(view, /not on the list/);
    assert.doesNotMatch(view, /everything|broken|echo/);
  });

  it('neither lists nor runs a server where it is not allowed', async () => {
    const overview = await slash(h, '', 'U1', 'C0CLOSED');
    assert.doesNotMatch(overview, /everything|`echo`/);
    assert.match(overview, /broken/, 'a server without channel rules is listed');
    assert.doesNotMatch(await slash(h, 'prompts', 'U1', 'C0CLOSED'), /everything|args-prompt/);
    assert.doesNotMatch(await slash(h, 'resources', 'U1', 'C0CLOSED'), /everything|demo:/);
    assert.match(await slash(h, 'prompt everything/args-prompt city=Paris', 'U1', 'C0CLOSED'), /not available in this channel/);
    assert.deepEqual(h.slack.calls('chat.postMessage'), []);
    // Where it is allowed, the same person sees it.
    assert.match(await slash(h, 'prompts', 'U1', 'C0OPEN'), /everything\/args-prompt/);
  });

  it('does not read resource:<uri> from a server that is not allowed in the channel', async () => {
    const thread = nextTs();
    await h.mention({ channel: 'C0CLOSED', user: 'U1', text: `<@U0FAKEBOT1> summarise resource:<${DOC_URI}>`, ts: thread });
    await h.slack.waitUntil(() => h.slack.messages('C0CLOSED', thread).some((m) => m.stream === 'stopped'), 10_000);
    const sent = textOf(h.anthropic.calls.at(-1));
    const doc = readFileSync(path.resolve('node_modules/@modelcontextprotocol/server-everything/dist/docs/features.md'), 'utf8');
    const firstLine = doc.split('\n').find((l) => l.trim().length > 10) ?? '';
    assert.ok(!sent.includes(JSON.stringify(firstLine).slice(1, -1)), 'the resource text did not reach Claude');
    assert.doesNotMatch(sent, /attached_resource/);
    assert.match(sent, /could not be read/);
  });

  it("shows a server's error text only to an approver", async () => {
    const asker = await slash(h, '', 'U1', 'C0OPEN');
    assert.match(asker, /broken/);
    assert.doesNotMatch(asker, /secret-vault/);
    const approver = await slash(h, '', 'U0APPROVER', 'C0OPEN');
    assert.match(approver, /secret-vault/);
  });
});

// Services that put their secret in the URL's path are common: the bot names a remote server by
// scheme, host and port only, and /healthz (which has no authentication) gives states, not error text.
describe('slack: a remote server URL with a secret in it', () => {
  const SECRETS = ['sk-PATHSECRET', 'QUERYSECRET', 'DEADSECRET'];
  let h: Harness;
  let fixture: HttpFixture;
  let dir: string;
  let dead: number;
  before(async () => {
    fixture = await startHttpFixture();
    dead = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'bot-secret-url-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ approvers: ['U0APPROVER'] }));
    h = await startHarness({
      servers: {
        vault: { url: `${new URL(fixture.url).origin}/sk-PATHSECRET/mcp?key=QUERYSECRET` },
        dead: { url: `http://127.0.0.1:${dead}/DEADSECRET/mcp` },
      },
      env: { POLICY_CONFIG: policyFile },
    });
  });
  after(async () => {
    await h.stop();
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const leaks = (text: string) => SECRETS.filter((secret) => text.includes(secret));

  it('keeps the secret out of /healthz, which shows states and no error text', async () => {
    const health = await (await fetch(`${h.url}/healthz`)).text();
    assert.deepEqual(leaks(health), []);
    assert.match(health, /"name":"vault","kind":"remote","state":"up"/);
    assert.doesNotMatch(health, /lastError|connection refused/);
  });

  it('keeps the secret out of the Home tab, /mcp (also for an approver, who sees the error) and the log', async () => {
    const home = await openHome(h, 'U1');
    assert.match(home, /vault/);
    assert.deepEqual(leaks(home), []);
    const approver = await slash(h, '', 'U0APPROVER', 'C1');
    assert.match(approver, new RegExp(`could not connect to http://127\\.0\\.0\\.1:${dead}: connection refused`));
    assert.deepEqual(leaks(approver), []);
    assert.deepEqual(leaks(h.logLines.join('\n')), []);
  });
});
