// Files that tools make come back to the thread: the real bot, server-everything's get-tiny-image (an
// image between two texts), and the fake Slack serving files.getUploadURLExternal, the upload POST
// and files.completeUploadExternal. The image shows as an uploaded file in the thread, once, also when
// the completion's answer is lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply, type Script } from '../fakes/anthropic.js';
import type { VisibleMessage } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, TEST_BOT_TOKEN, type Harness } from '../helpers/bot-harness.js';
import { nextTs } from '../helpers/sign.js';

strictSlack();

/** Claude calls `tool` first; once its result is back, it answers. */
function toolThenAnswer(id: string, tool: string, input: Record<string, unknown>): Script {
  return (request) => {
    const last = request.messages.at(-1)?.content;
    const answered = Array.isArray(last) && last.some((block) => block.type === 'tool_result');
    return answered ? reply.text('Here is the logo.') : reply.tools([{ id, name: tool, input }]);
  };
}

describe('slack: a tool\'s image is uploaded to the thread', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ slack: { tokens: [TEST_BOT_TOKEN] }, env: { ANSWER_AS_FILE_CHARS: '3000', TOOL_TEXT_AS_FILE_CHARS: '500' } });
  });
  after(async () => {
    await h.stop();
  });

  /** Asks in a fresh thread of `channel` for the tiny image; resolves when the answer is finished. */
  async function askForImage(channel: string, tool = 'everything__get-tiny-image', input: Record<string, unknown> = {}): Promise<{ thread: string; messages: VisibleMessage[] }> {
    // The tool first; once its result is back, the answer.
    h.anthropic.script(toolThenAnswer(`toolu_${channel}`, tool, input));
    const ts = nextTs();
    const stops = h.slack.calls('chat.stopStream').length;
    await h.mention({ channel, user: 'U1', text: '<@U0FAKEBOT1> show me the logo', ts });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length > stops, 60_000);
    return { thread: ts, messages: h.slack.messages(channel, ts) };
  }

  /** The image server-everything's get-tiny-image returns, as the model got it in the tool_result. */
  function imageSentToModel(): string {
    for (const request of h.anthropic.calls) {
      for (const message of request.messages) {
        if (typeof message.content === 'string') continue;
        for (const block of message.content) {
          if (block.type !== 'tool_result' || typeof block.content === 'string') continue;
          const image = block.content?.find((b) => b.type === 'image');
          if (image?.type === 'image' && image.source.type === 'base64') return image.source.data;
        }
      }
    }
    assert.fail('the model got no image');
  }

  it('shows the image as a file in the thread, after the note of the tool that made it', async () => {
    const { messages } = await askForImage('C0FILES1');
    const reply = messages.find((m) => m.tasks.length > 0);
    assert.ok(reply, 'the answer shows the tool note');
    assert.deepEqual(reply.tasks.map((t) => `${t.title}: ${t.status}`), ['everything/get-tiny-image: complete']);
    const shares = messages.filter((m) => (m.files ?? []).length > 0);
    assert.equal(shares.length, 1, 'one file message');
    const share = shares[0];
    assert.ok(share);
    assert.equal(share.user, h.slack.botUserId, 'posted by the bot');
    const file = share.files?.[0];
    assert.equal(file?.name, 'image-1.png');
    // The bytes Slack got are the tool's image, byte for byte.
    const bytes = h.slack.uploadedBytes(String(file?.id));
    assert.ok(bytes, 'the upload was completed');
    assert.equal(bytes.toString('base64'), imageSentToModel());
    // Uploaded with the bot token, into the question's thread.
    const complete = h.slack.calls('files.completeUploadExternal').at(-1);
    assert.equal(complete?.token, TEST_BOT_TOKEN);
    assert.equal(complete?.body.channel_id, 'C0FILES1');
  });

  it('an embedded resource with binary content (a blob) comes as a file too', async () => {
    const { messages } = await askForImage('C0FILES3', 'everything__get-resource-reference', { resourceType: 'Blob', resourceId: 3 });
    const files = messages.flatMap((m) => m.files ?? []);
    assert.equal(files.length, 1, 'one file');
    assert.equal(files[0]?.name, '3', 'named after the last part of its URI');
    assert.match(String(h.slack.uploadedBytes(String(files[0]?.id))), /^Resource 3: This is a base64 blob/);
  });

  it('a lost answer of files.completeUploadExternal: the file shows once', async () => {
    const since = h.slack.calls().length;
    h.slack.loseResponseNext('files.completeUploadExternal');
    const { messages } = await askForImage('C0FILES2');
    const lost = h.slack.calls().slice(since).filter((c) => c.method === 'files.completeUploadExternal' && c.lost === true);
    assert.equal(lost.length, 1, 'the completion lost its answer');
    const shares = messages.filter((m) => (m.files ?? []).length > 0);
    assert.equal(shares.length, 1, 'the file shows once');
    // The bot looked in the thread, found its file there, and neither completed nor uploaded it again.
    const after = h.slack.calls().slice(since);
    assert.equal(after.filter((c) => c.method === 'files.completeUploadExternal').length, 1, 'completed once');
    assert.equal(after.filter((c) => c.method === 'files.getUploadURLExternal').length, 1, 'uploaded once');
    assert.ok(after.some((c) => c.method === 'conversations.replies' && c.body.channel === 'C0FILES2'), 'read the thread');
    assert.ok(messages.some((m) => (m.markdown_text ?? '').includes('Here is the logo.')), 'the answer went on');
  });

  it('a tool\'s text result past TOOL_TEXT_AS_FILE_CHARS also comes as <tool>-result.txt, next to its note; Claude still gets the text', async () => {
    const message = 'all the words of a long tool result '.repeat(20).trim();
    const { messages } = await askForImage('C0FILES9', 'everything__echo', { message });
    const files = messages.flatMap((m) => m.files ?? []);
    assert.deepEqual(files.map((f) => f.name), ['echo-result.txt']);
    assert.equal(String(h.slack.uploadedBytes(String(files[0]?.id))), `Echo: ${message}`);
    const results = h.anthropic.calls.flatMap((r) => r.messages).flatMap((m) => (typeof m.content === 'string' ? [] : m.content)).filter((b) => b.type === 'tool_result' && b.tool_use_id === 'toolu_C0FILES9');
    assert.equal(results.length, 1);
    assert.match(JSON.stringify(results[0]), /Echo: all the words/);
  });

  /** Asks `question` in a fresh thread of `channel`; Claude answers `answer`. */
  async function ask(channel: string, question: string, answer: string): Promise<VisibleMessage[]> {
    h.anthropic.script(() => reply.text(answer));
    const ts = nextTs();
    const stops = h.slack.calls('chat.stopStream').length;
    await h.mention({ channel, user: 'U1', text: `<@U0FAKEBOT1> ${question}`, ts });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length > stops, 60_000);
    return h.slack.messages(channel, ts);
  }

  it('an answer asked for as a file: the message keeps a short summary, answer.md the whole answer; a plain question streams it all', async () => {
    const body = Array.from({ length: 40 }, (_, i) => `- item ${i + 1}: ${i * 3} in stock`).join('\n');
    const answer = `# Stock report\n\nStock is fine overall: 40 items, none out.\n\n${body}\n`;
    const messages = await ask('C0FILES4', 'write the stock report as a Markdown file', answer);
    const text = messages.map((m) => m.markdown_text ?? '').join('\n');
    assert.match(text, /Stock is fine overall: 40 items, none out\.\n\n_The whole answer is in the file below\._/);
    assert.ok(!text.includes('item 1:'), 'the body is not in the message');
    const shares = messages.filter((m) => (m.files ?? []).length > 0);
    assert.equal(shares.length, 1);
    assert.equal(shares[0]?.files?.[0]?.name, 'answer.md');
    assert.match(shares[0]?.text ?? '', /The whole answer as a Markdown file \(\d+ characters\)/);
    assert.equal(String(h.slack.uploadedBytes(String(shares[0]?.files?.[0]?.id))), answer);
    const plain = await ask('C0FILES5', 'write the stock report', answer);
    assert.equal(plain.filter((m) => (m.files ?? []).length > 0).length, 0, 'no file unless asked or long');
    assert.ok(plain.some((m) => (m.markdown_text ?? '').includes('item 40: 117 in stock')), 'streamed whole');
  });

  it('an answer past ANSWER_AS_FILE_CHARS: the stream stops growing there with a line, and the whole answer comes as a file', async () => {
    const answer = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of a long answer.`).join('\n');
    const long = answer + '\n' + answer;
    assert.ok(long.length > 4000 && long.length < 11_000, 'one message would take it all');
    const messages = await ask('C0FILES6', 'tell me everything', long);
    const text = messages.flatMap((m) => (m.markdown_text ? [m.markdown_text] : [])).join('\n');
    assert.ok(text.startsWith('Line 1 of a long answer.'));
    assert.match(text, /\n\n_… the rest of the answer is in the file below\._$/);
    assert.ok(text.length < 3100, `the stream stopped at 3,000 characters (${text.length})`);
    const files = messages.flatMap((m) => m.files ?? []);
    assert.deepEqual(files.map((f) => f.name), ['answer.md']);
    assert.equal(String(h.slack.uploadedBytes(String(files[0]?.id))), long);
  });

  it('an answer asked for as CSV: its table comes as answer.csv (RFC 4180), the message keeps a summary; without a table, the answer as usual', async () => {
    const answer = 'Here are the sales by region.\n\n| Region | Sales, EUR | Note |\n|---|--:|---|\n| **North** | 1200 | says "good" |\n| South | 900 | ok |\n\nNorth leads.';
    const messages = await ask('C0FILES7', 'give me the sales by region as CSV', answer);
    const text = messages.map((m) => m.markdown_text ?? '').join('\n');
    assert.match(text, /^Here are the sales by region\.\n\n_The table is in the file below\._/);
    assert.ok(!text.includes('| South'), 'the table is not in the message');
    const files = messages.flatMap((m) => m.files ?? []);
    assert.deepEqual(files.map((f) => f.name), ['answer.csv']);
    assert.equal(String(h.slack.uploadedBytes(String(files[0]?.id))), 'Region,"Sales, EUR",Note\r\nNorth,1200,"says ""good"""\r\nSouth,900,ok\r\n');
    assert.match(messages.find((m) => (m.files ?? []).length > 0)?.text ?? '', /The table of the answer as CSV \(2 rows\)/);
    const none = await ask('C0FILES8', 'list the regions as a CSV file', 'There are two regions: North and South.');
    assert.equal(none.flatMap((m) => m.files ?? []).length, 0, 'no table, no file');
    assert.ok(none.some((m) => (m.markdown_text ?? '').includes('There are two regions: North and South.')));
  });
});

describe('slack: the upload cap, lowered by the policy', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'files-out-e2e-'));
    const policyFile = path.join(dir, 'policy.json');
    // server-everything's tiny image is about 1 KB: under UPLOAD_MAX_BYTES, over the policy's fileBytes.
    writeFileSync(policyFile, JSON.stringify({ limits: { fileBytes: 100 } }));
    h = await startHarness({ slack: { tokens: [TEST_BOT_TOKEN] }, env: { UPLOAD_MAX_BYTES: '1000000', POLICY_CONFIG: policyFile } });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a tool\'s image over the policy\'s limits.fileBytes is not uploaded; its note says why', async () => {
    h.anthropic.script(toolThenAnswer('toolu_cap', 'everything__get-tiny-image', {}));
    const ts = nextTs();
    await h.mention({ channel: 'C0FILESCAP', user: 'U1', text: '<@U0FAKEBOT1> show me the logo', ts });
    await h.slack.waitUntil(() => h.slack.messages('C0FILESCAP', ts).some((m) => m.tasks.some((t) => /not shown/.test(t.output ?? ''))), 60_000);
    const messages = h.slack.messages('C0FILESCAP', ts);
    assert.equal(h.slack.calls('files.getUploadURLExternal').length, 0, 'nothing was uploaded');
    assert.equal(messages.flatMap((m) => m.files ?? []).length, 0);
    const note = messages.flatMap((m) => m.tasks).find((t) => t.title === 'everything/get-tiny-image');
    assert.match(note?.output ?? '', /image-1\.png not shown: it is over the 100 bytes a file the bot uploads may have/);
  });
});
