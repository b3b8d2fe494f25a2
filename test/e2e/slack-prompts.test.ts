// The servers' prompts and resources in Slack: /mcp prompts lists them, /mcp prompt runs one in a new
// thread, /mcp resources lists resources, and resource:<uri> in a question attaches one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { startHarness, TEST_SIGNING_SECRET, type Harness } from '../helpers/bot-harness.js';
import { nextTs, signRequest } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const textOf = (request: MessagesRequest | undefined) => JSON.stringify(request?.messages.at(-1)?.content ?? '');

describe('slack: prompts and resources', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ script: (request) => reply.text(`Answering: ${textOf(request).slice(0, 200)}`) });
  });
  after(() => h.stop());

  async function slash(text: string): Promise<void> {
    const body = new URLSearchParams({
      command: '/mcp',
      text,
      user_id: 'U1',
      team_id: 'T0FAKE0001',
      channel_id: 'C1100',
      response_url: h.slack.responseUrl('cmd'),
      trigger_id: '1.2',
      api_app_id: 'A0FAKEAPP1',
      token: 'legacy',
    }).toString();
    const response = await fetch(`${h.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signRequest(TEST_SIGNING_SECRET, body) },
      body,
    });
    assert.equal(response.status, 200);
  }

  it('lists the prompts with their arguments', async () => {
    h.slack.clearCalls();
    await slash('prompts');
    const answer = await h.slack.waitFor((c) => c.method === 'response_url', 5000);
    assert.match(String(answer.body.text), /everything\/args-prompt city=… \[state=…\]/);
  });

  it('runs a prompt with arguments in a new thread, answered like a question', async () => {
    const before = h.anthropic.calls.length;
    await slash('prompt everything/args-prompt city="San Francisco" state=CA');
    await h.slack.waitUntil(() => h.anthropic.calls.length > before, 10_000);
    assert.match(textOf(h.anthropic.calls.at(-1)), /What's weather in San Francisco, CA\?/);
    const intro = h.slack.calls('chat.postMessage').find((c) => String(c.body.text).includes('ran the prompt'));
    assert.ok(intro, 'a message in the channel starts the thread');
    assert.equal(intro.body.thread_ts, undefined);
    const ts = String(intro.response?.ts);
    await h.slack.waitUntil(() => h.slack.messages('C1100', ts).some((m) => m.stream === 'stopped'), 10_000);
  });

  it('posts the message that starts a prompt\'s thread once, even when Slack\'s answer to it is lost', async () => {
    const before = h.anthropic.calls.length;
    h.slack.loseResponseNext('chat.postMessage');
    await slash('prompt everything/simple-prompt');
    await h.slack.waitUntil(() => h.anthropic.calls.length > before, 10_000);
    const intros = h.slack.messages('C1100').filter((m) => (m.text ?? '').includes('ran the prompt `everything/simple-prompt`'));
    assert.equal(intros.length, 1, 'one intro message in the channel');
    const ts = intros[0]?.ts ?? '';
    await h.slack.waitUntil(() => h.slack.messages('C1100', ts).some((m) => m.stream === 'stopped'), 10_000);
    assert.ok(h.slack.calls('chat.postMessage').some((c) => c.lost === true), 'the lost response happened');
  });

  it('lists resources, and attaches one to a question by its URI', async () => {
    h.slack.clearCalls();
    await slash('resources');
    const list = await h.slack.waitFor((c) => c.method === 'response_url', 5000);
    assert.match(String(list.body.text), /demo:\/\/resource\/static\/document\/features\.md/);
    const thread = nextTs();
    await h.mention({ channel: 'C1101', user: 'U1', text: '<@U0FAKEBOT1> summarise resource:<demo://resource/static/document/features.md>', ts: thread });
    await h.slack.waitUntil(() => h.slack.messages('C1101', thread).some((m) => m.stream === 'stopped'), 10_000);
    const sent = textOf(h.anthropic.calls.at(-1));
    const doc = readFileSync(path.resolve('node_modules/@modelcontextprotocol/server-everything/dist/docs/features.md'), 'utf8');
    const firstLine = doc.split('\n').find((l) => l.trim().length > 10) ?? '';
    assert.ok(sent.includes(JSON.stringify(firstLine).slice(1, -1)), 'the resource text went to Claude with the question');
    assert.match(sent, /attached_resource uri=/);
  });
});
