// Servers asking things during a tool call, answered in Slack by the person who asked: a form
// (elicitation) built from the requested schema, a request to use Claude (sampling) approved like a
// tool call, and the roots the bot declares. Against server-everything, through the real bot.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest, type ReplySpec } from '../fakes/anthropic.js';
import type { RecordedCall } from '../fakes/slack-api.js';
import { startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { blockActionsPayload, nextTs, postInteraction } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { marksAnswerDone } from '../helpers/answer-done.js';

strictSlack();

const lastResult = (request: MessagesRequest | undefined) => JSON.stringify(request?.messages.at(-1)?.content ?? '');

describe('slack: servers asking questions', () => {
  let h: Harness;
  let rootDir: string;
  let next: (request: MessagesRequest, callIndex: number) => ReplySpec = () => reply.text('ok');
  before(async () => {
    rootDir = mkdtempSync(path.join(tmpdir(), 'bot-root-'));
    h = await startHarness({ script: (request, i) => next(request, i), env: { MCP_ROOTS: rootDir } });
  });
  after(() => h.stop());

  /** The tool call in the first model call, and the tool's result echoed back in the second. */
  function toolThenEcho(name: string, input: Record<string, unknown>) {
    const first = h.anthropic.calls.length;
    next = (request, i) => (i === first ? reply.tools([{ id: `toolu_${i}`, name, input }]) : reply.text(`Tool said: ${lastResult(request).slice(0, 300)}`));
  }

  async function questionMessage(channel: string, thread: string, prefix: string): Promise<RecordedCall> {
    return h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === channel && c.body.thread_ts === thread && String(c.body.text).includes(prefix), 15_000);
  }

  async function click(message: RecordedCall, actionId: string, user: string, values: Record<string, unknown> = {}): Promise<void> {
    const id = /"value":"([0-9a-f-]{36})"/.exec(JSON.stringify(message.body.blocks))?.[1] ?? '';
    const messageTs = String(message.response?.ts ?? message.response?.message_ts);
    const payload = blockActionsPayload({ action_id: actionId, value: id, user, channel: String(message.body.channel), message_ts: messageTs, thread_ts: String(message.body.thread_ts) });
    payload.state = { values };
    const response = await postInteraction(`${h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET });
    assert.equal(response.status, 200);
  }

  const done = (channel: string, thread: string) => h.slack.waitFor((c) => marksAnswerDone(c, channel, thread), 15_000);

  it('shows a form built from the schema, with defaults, and sends the answers back to the server', async () => {
    toolThenEcho('everything__trigger-elicitation-request', {});
    const thread = nextTs();
    await h.mention({ channel: 'C1000', user: 'U1', text: '<@U0FAKEBOT1> ask me things', ts: thread });
    const form = await questionMessage('C1000', thread, 'asks');
    const blocks = JSON.stringify(form.body.blocks);
    assert.match(blocks, /"block_id":"elicit_field_name".*"type":"plain_text_input"/);
    assert.match(blocks, /"initial_value":"It was a dark and stormy night\."/, 'a string default is filled in');
    assert.match(blocks, /"type":"email_text_input"/);
    assert.match(blocks, /"type":"checkboxes"/, 'a boolean is a checkbox');
    assert.match(blocks, /"type":"number_input","action_id":"value","is_decimal_allowed":false,"min_value":"1","max_value":"100","initial_value":"42"/, 'an integer with its bounds and default');
    assert.match(blocks, /"type":"static_select".*"initial_option":\{"text":\{"type":"plain_text","text":"Superman"\},"value":"hero-1"\}/, 'an enum with titles and its default');

    // Someone else cannot answer.
    await click(form, 'elicit_send', 'U2');
    const refusal = await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === 'U2', 5000);
    assert.match(String(refusal.body.text), /Only <@U1>/);

    // A missing required field is told, privately; then a good answer goes through.
    await click(form, 'elicit_send', 'U1', {});
    const problem = await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === 'U1', 5000);
    assert.match(String(problem.body.text), /String is required/);
    await click(form, 'elicit_send', 'U1', {
      elicit_field_name: { value: { type: 'plain_text_input', value: 'Ada Lovelace' } },
      elicit_field_check: { value: { type: 'checkboxes', selected_options: [{ value: 'true' }] } },
      elicit_field_integer: { value: { type: 'number_input', value: '7' } },
    });
    await done('C1000', thread);
    const result = lastResult(h.anthropic.calls.at(-1));
    assert.match(result, /Name: Ada Lovelace/);
    assert.match(result, /Agreed to terms: true/);
    assert.match(result, /Favorite Integer: 7/);
    assert.match(h.slack.message('C1000', String(form.response?.ts))?.text ?? '', /answered by <@U1>/);
    assert.deepEqual(h.anthropic.rejections, []);
  });

  it('passes a decline back to the server', async () => {
    toolThenEcho('everything__trigger-elicitation-request', {});
    const thread = nextTs();
    await h.mention({ channel: 'C1001', user: 'U1', text: '<@U0FAKEBOT1> ask me again', ts: thread });
    const form = await questionMessage('C1001', thread, 'asks');
    await click(form, 'elicit_decline', 'U1');
    await done('C1001', thread);
    assert.match(lastResult(h.anthropic.calls.at(-1)), /declined/);
  });

  it('takes one answer when Decline and Cancel land at once, and tells the other click what stood', async () => {
    toolThenEcho('everything__trigger-elicitation-request', {});
    const thread = nextTs();
    await h.mention({ channel: 'C1008', user: 'U1', text: '<@U0FAKEBOT1> ask me twice', ts: thread });
    const form = await questionMessage('C1008', thread, 'asks');
    await Promise.all([click(form, 'elicit_decline', 'U1'), click(form, 'elicit_cancel', 'U1')]);
    await done('C1008', thread);
    const note = await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.thread_ts === thread, 10_000);
    const stood = /already (declined|cancelled) by <@U1>/.exec(String(note.body.text))?.[1];
    assert.ok(stood, `the losing click is told what stood: ${String(note.body.text)}`);
    assert.match(lastResult(h.anthropic.calls.at(-1)), new RegExp(stood === 'declined' ? 'declined' : 'cancel'), 'the server got the answer that stood');
    assert.equal(h.slack.calls('chat.postEphemeral').filter((c) => c.body.thread_ts === thread).length, 1);
  });

  /** The private message the asker got in a thread (chat.postEphemeral), whose blocks or text match. */
  function privateMessage(channel: string, user: string, pattern: RegExp): Promise<RecordedCall> {
    return h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.channel === channel && c.body.user === user && pattern.test(JSON.stringify(c.body)), 15_000);
  }

  it('shows a URL request only to the asker, with its host and the whole link, and Open sends the acceptance back', async () => {
    const url = 'https://auth.example.com/consent?x=1&state=abc';
    // A message long enough that a cut of message + link together would drop the link.
    const message = `<!here> Please sign in at <https://evil.example|your bank> ${'and read this '.repeat(300)}`;
    toolThenEcho('everything__trigger-url-elicitation', { url, message });
    const thread = nextTs();
    await h.mention({ channel: 'C1004', user: 'U1', text: '<@U0FAKEBOT1> sign me in', ts: thread });
    const note = await questionMessage('C1004', thread, 'asks you to open a page');
    assert.match(String(note.body.text), /on auth\.example\.com\. The link is shown only to you/);
    assert.doesNotMatch(JSON.stringify(note.body), /consent|Please sign in/, 'the thread sees the host, not the page');
    const shown = await privateMessage('C1004', 'U1', /consent/);
    const blocks = shown.body.blocks as { type: string; text?: { type: string; text: string } }[];
    assert.ok(blocks.some((b) => b.text?.type === 'plain_text' && b.text.text === url), 'the whole link, as plain text');
    assert.ok(blocks.some((b) => b.text?.type === 'mrkdwn' && b.text.text.includes('*auth.example.com*')), 'the host, plainly');
    const seen = JSON.stringify(shown.body);
    for (const control of ['<!here>', '<https://evil.example', '&lt;https://auth']) assert.ok(!seen.includes(control), `${control} in ${seen.slice(0, 400)}`);
    assert.match(seen, /&lt;!here&gt; Please sign in at &lt;https:\/\/evil\.example\|your bank&gt;/, 'the server\'s words show as text');
    await click(shown, 'elicit_open', 'U1');
    await done('C1004', thread);
    assert.match(lastResult(h.anthropic.calls.at(-1)), /accept/i);
    assert.match(h.slack.message('C1004', String(note.response?.ts))?.text ?? '', /answered by <@U1>/);
  });

  it('declines a plain-http link to another host, and tells only the asker', async () => {
    toolThenEcho('everything__trigger-url-elicitation', { url: 'http://login.example.net/form', message: 'Please sign in' });
    const thread = nextTs();
    await h.mention({ channel: 'C1006', user: 'U1', text: '<@U0FAKEBOT1> sign me in', ts: thread });
    await done('C1006', thread);
    const told = await privateMessage('C1006', 'U1', /not https/);
    assert.match(String(told.body.text), /asked you to open a link, but it is not https, so the bot declined/);
    const posted = h.slack.calls('chat.postMessage').filter((c) => c.body.channel === 'C1006');
    assert.ok(!posted.some((c) => JSON.stringify(c.body).includes('login.example.net')), 'the bot posts no link to the thread');
    assert.match(lastResult(h.anthropic.calls.at(-1)), /declin/i, 'the server heard the decline');
  });

  it('declines a URL request it cannot show privately, and says so in the thread without the link', async () => {
    toolThenEcho('everything__trigger-url-elicitation', { url: 'https://auth.example.com/consent?y=2', message: 'Please sign in' });
    h.slack.failNext('chat.postEphemeral', { error: 'user_not_in_channel' });
    const thread = nextTs();
    await h.mention({ channel: 'C1007', user: 'U1', text: '<@U0FAKEBOT1> sign me in', ts: thread });
    await done('C1007', thread);
    const note = h.slack.messages('C1007', thread).find((m) => m.text?.includes('could not be shown'));
    assert.match(note?.text ?? '', /link could not be shown to <@U1> privately, so it was declined/);
    assert.ok(!h.slack.calls('chat.postMessage').some((c) => JSON.stringify(c.body).includes('consent?y=2')), 'the link never reaches the thread');
    assert.match(lastResult(h.anthropic.calls.at(-1)), /declin/i);
  });

  it('declines a URL request whose link is too long for a Slack button, and tells the asker', async () => {
    const url = `https://auth.example.com/consent?state=${'s'.repeat(3100)}`;
    toolThenEcho('everything__trigger-url-elicitation', { url, message: 'Please sign in' });
    const thread = nextTs();
    await h.mention({ channel: 'C1005', user: 'U1', text: '<@U0FAKEBOT1> sign me in', ts: thread });
    await done('C1005', thread);
    const told = await privateMessage('C1005', 'U1', /asked you to open a link/);
    assert.match(String(told.body.text), /link of 3\d{3} characters; Slack takes at most 3000 in a button, so the bot declined/);
    assert.match(lastResult(h.anthropic.calls.at(-1)), /declin/i, 'the server heard the decline');
  });

  it('lets a server use Claude only after the person approves, within the token cap', async () => {
    const first = h.anthropic.calls.length;
    next = (request, i) => {
      if (i === first) return reply.tools([{ id: 'toolu_s', name: 'everything__trigger-sampling-request', input: { prompt: `say hello ${'p'.repeat(800)} THE END`, maxTokens: 50000 } }]);
      if (request.system === 'You are a helpful test server.' || JSON.stringify(request.system ?? '').includes('helpful test server')) return reply.text('Hello from the sampled model.');
      return reply.text(`Tool said: ${lastResult(request).slice(0, 300)}`);
    };
    const thread = nextTs();
    await h.mention({ channel: 'C1002', user: 'U1', text: '<@U0FAKEBOT1> sample', ts: thread });
    const approval = await questionMessage('C1002', thread, 'Approval needed');
    assert.match(JSON.stringify(approval.body.blocks), /asks to use Claude/);
    assert.match(JSON.stringify(approval.body.blocks), /say hello/);
    // The message Claude will read is longer than a line of the approval: its size shows, and the
    // whole of it is one click away.
    assert.match(JSON.stringify(approval.body.blocks), /`messages\[0\]\.text`: .*8\d\d characters in all/);
    await click(approval, 'tool_full_call', 'U1');
    const opened = await h.slack.waitFor('views.open', 5000);
    assert.match(JSON.stringify(opened.body.view), /p{800} THE END/);
    const before = h.anthropic.calls.length;
    await click(approval, 'tool_approve', 'U1');
    await done('C1002', thread);
    const sampled = h.anthropic.calls.slice(before).find((c) => JSON.stringify(c.system ?? '').includes('helpful test server'));
    assert.ok(sampled, 'Claude was asked on the server\'s behalf');
    assert.equal(sampled.max_tokens, 1024, 'capped at SAMPLING_MAX_TOKENS');
    assert.match(lastResult(h.anthropic.calls.at(-1)), /Hello from the sampled model\./);
  });

  it('declares the configured roots', async () => {
    toolThenEcho('everything__get-roots-list', {});
    const thread = nextTs();
    await h.mention({ channel: 'C1003', user: 'U1', text: '<@U0FAKEBOT1> roots?', ts: thread });
    await done('C1003', thread);
    assert.ok(lastResult(h.anthropic.calls.at(-1)).includes(pathToFileURL(rootDir).href));
  });
});

// The attacker's side of "whose question is it": a server keeps working on a call that timed out and
// only then asks to use Claude, while another person's call is the only one running on it (stdio:
// nothing on the wire says which call a request is for). The question must reach nobody: no approval
// in the other person's thread, and the server hears no.
describe('slack: a server question that comes after its call ended', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bot-late-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ servers: { late: { skipApproval: ['*'] } } }));
    h = await startHarness({
      servers: { late: { command: process.execPath, args: [path.resolve('test/fixtures/mcp/late-asker.mjs')] } },
      // The first call reports progress once, then is silent: it times out after 2 s.
      env: { POLICY_CONFIG: policyFile, MCP_CALL_TIMEOUT_MS: '2000' },
      script: (request, i) => {
        if (request.messages.length > 1) return reply.text(`Tool said: ${lastResult(request).slice(0, 300)}`);
        const first = JSON.stringify(request.messages[0]?.content ?? '').includes('start the slow job');
        return reply.tools([first ? { id: `toolu_a${i}`, name: 'late__late-sampler', input: { mode: 'sample' } } : { id: `toolu_b${i}`, name: 'late__hold', input: {} }]);
      },
    });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never shows a timed-out call's late sampling request in another person's thread", async () => {
    const alice = nextTs();
    await h.mention({ channel: 'C2000', user: 'U0ALICE01', text: '<@U0FAKEBOT1> start the slow job', ts: alice });
    await h.slack.waitUntil(() => h.slack.messages('C2000', alice).some((m) => m.stream === 'stopped'), 30_000);
    assert.match(lastResult(h.anthropic.calls.at(-1)), /timed out/);

    const bob = nextTs();
    await h.mention({ channel: 'C2001', user: 'U0BOB0001', text: '<@U0FAKEBOT1> hold on', ts: bob });
    await h.slack.waitUntil(() => h.slack.messages('C2001', bob).some((m) => m.stream === 'stopped'), 30_000);
    assert.match(lastResult(h.anthropic.calls.at(-1)), /refused: .*Nobody is there to approve/);
    const asked = h.slack.calls('chat.postMessage').filter((c) => String(c.body.text).includes('asks to use Claude'));
    assert.deepEqual(asked, [], 'no sampling approval anywhere, least of all in Bob’s thread');
  });
});
