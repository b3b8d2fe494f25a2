// From the attacker's side: a server whose tool name, descriptions, results, prompt, resource title
// and stderr carry Slack's control sequences (<!channel>, <!here>, <!everyone>, <!subteam^…>,
// <@U…>, and a link whose words hide where it goes). Whatever the bot posts of them, in task notes,
// on the App Home, in /mcp answers and in a prompt's first message, shows as text: no ping, no
// disguised link, and no preview (unfurl) of a link someone else chose.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import type { Json } from '../fakes/slack-api.js';
import { startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { nextTs, signRequest } from '../helpers/sign.js';
import { controlSequences } from '../helpers/slack-text.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const HOSTILE = path.resolve('test/fixtures/mcp/hostile-server.mjs');

describe('slack: what a hostile server writes shows as text', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    // Only approvers see a failed server's error (its stderr) on the App Home.
    dir = mkdtempSync(path.join(tmpdir(), 'bot-hostile-'));
    writeFileSync(path.join(dir, 'policy.json'), JSON.stringify({ approvers: ['U0APPROVER'] }));
    h = await startHarness({
      env: { POLICY_CONFIG: path.join(dir, 'policy.json') },
      servers: {
        hostile: { command: process.execPath, args: [HOSTILE] },
        broken: { command: process.execPath, args: [HOSTILE, '--fail'] },
      },
      script: (request, i) => {
        const tool = (request.tools ?? []).map((t) => ('name' in t ? t.name : '')).find((name) => name.startsWith('hostile__'));
        const last = JSON.stringify(request.messages.at(-1)?.content ?? '');
        return last.includes('tool_result') || !tool
          ? reply.text('Saved.')
          : reply.tools([{ id: `toolu_h${i}`, name: tool, input: { note: 'for <@U0VICTIM> and <!subteam^S0TEAM|@oncall>, see <https://evil.example|harmless words>' } }]);
      },
    });
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs /mcp <text>; resolves with its answer (response_url), or nothing when `answered` is false. */
  async function slash(text: string, answered = true): Promise<Json> {
    const body = new URLSearchParams({ command: '/mcp', text, user_id: 'U1', team_id: 'T0FAKE0001', channel_id: 'C1300', response_url: h.slack.responseUrl('hostile'), trigger_id: '1.2', api_app_id: 'A0FAKEAPP1', token: 'legacy' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(TEST_SIGNING_SECRET, body) };
    const before = h.slack.calls('response_url').length;
    assert.equal((await fetch(`${h.url}/slack/events`, { method: 'POST', headers, body })).status, 200);
    if (!answered) return {};
    await h.slack.waitUntil(() => h.slack.calls('response_url').length > before, 10_000);
    return h.slack.calls('response_url').at(-1)?.body ?? {};
  }

  it('shows a tool named <!channel>, its arguments and its result in task notes as text', async () => {
    const thread = nextTs();
    await h.mention({ channel: 'C1301', user: 'U1', text: '<@U0FAKEBOT1> save a note', ts: thread });
    await h.slack.waitUntil(() => h.slack.messages('C1301', thread).some((m) => m.stream === 'stopped'), 15_000);
    const tasks = h.slack.messages('C1301', thread).flatMap((m) => m.tasks);
    assert.equal(tasks.length, 1, 'one tool call was made');
    const shown = [tasks[0]?.title, tasks[0]?.details, tasks[0]?.output].join('\n');
    assert.deepEqual(controlSequences(shown), [], shown);
    assert.match(shown, /^hostile\/@\u2060channel$/m, 'the tool named <!channel> shows, defused');
    assert.match(shown, /note: "for @\u2060user and &lt;!subteam/, 'the arguments show, their mentions defused');
    assert.match(shown, /@\u2060channel @\u2060here @\u2060everyone/, 'the result shows, its pings defused');
  });

  it('shows the tool list and a failed server’s stderr on an approver’s App Home as text', async () => {
    const view = await openHome(h, 'U0APPROVER', 'D1');
    assert.deepEqual(controlSequences(view), []);
    assert.match(view, /`&lt;!channel&gt;`/, 'the tool named <!channel>');
    assert.match(view, /broken.*failed.*&lt;!channel&gt; &lt;!here&gt;.*could not start/, 'the last stderr line, escaped');
  });

  it('lists prompts and resources under /mcp as text', async () => {
    const prompts = await slash('prompts');
    assert.deepEqual(controlSequences(String(prompts.text)), []);
    assert.match(String(prompts.text), /`hostile\/hello` — &lt;!channel&gt;/);
    const resources = await slash('resources');
    assert.deepEqual(controlSequences(String(resources.text)), []);
    assert.match(String(resources.text), /`hostile:\/\/doc` — &lt;!channel&gt;/);
  });

  it('starts a prompt’s thread with its description as text, and without previews of links', async () => {
    await slash('prompt hostile/hello', false);
    const intro = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.body.text).includes('ran the prompt'), 10_000);
    assert.deepEqual(controlSequences(String(intro.body.text), ['U1']), [], String(intro.body.text));
    assert.match(String(intro.body.text), /&lt;https:\/\/evil\.example\/steal\?d=secret\|the docs&gt;/);
    // Form-encoded, as the WebClient sends it.
    assert.equal(String(intro.body.unfurl_links), 'false');
    assert.equal(String(intro.body.unfurl_media), 'false');
  });
});
