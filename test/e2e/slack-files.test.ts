// Files attached to a question reach Claude as the Messages API takes them: the real bot, the fake
// Slack serving url_private downloads (bot token only), and the fake Anthropic API, which refuses
// image and document blocks the real API would refuse.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, TEST_BOT_TOKEN, type Harness } from '../helpers/bot-harness.js';
import { nextTs } from '../helpers/sign.js';
import { DEFAULT_MODEL } from '../../src/config.js';
import { noisyPng, pixelSize, plainJpeg } from '../helpers/images.js';
import { LEGACY_API_VERSION, requestProblem } from '../fakes/anthropic-validate.js';

strictSlack();

/** A 1x1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const CSV = Buffer.from('fruit,count\napple,3\npear,5\n');
const DOCX = Buffer.from('PK\u0003\u0004 not really a word document');
const CAP = 40_000;

type Block = Anthropic.ContentBlockParam;
const blocksOf = (message: MessagesRequest['messages'][number] | undefined): Block[] =>
  !message ? [] : typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : (message.content as Block[]);
const userMessages = (request: MessagesRequest | undefined) => (request?.messages ?? []).filter((m) => m.role === 'user');
const textOf = (blocks: Block[]) => blocks.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join('\n');

describe('slack: files attached to a question', () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'files-e2e-'));
    const policyFile = path.join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ channels: { allow: ['C800', 'dm'] } }));
    h = await startHarness({
      servers: {},
      slack: { tokens: [TEST_BOT_TOKEN] },
      env: { POLICY_CONFIG: policyFile, FILE_MAX_BYTES: String(CAP), QUESTION_FILES_MAX_BYTES: String(200_000), THREAD_MAX_STORED_BYTES: '100000' },
      script: () => reply.text('Looked at it.'),
    });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A mention with files, or (with `thread`) a plain follow-up in that thread, as Slack sends a file share. */
  async function ask(text: string, files: Record<string, unknown>[], thread?: string): Promise<{ request: MessagesRequest | undefined; ts: string }> {
    const ts = nextTs();
    const stops = h.slack.calls('chat.stopStream').length;
    if (thread) await h.message({ channel: 'C800', user: 'U1', text, ts, thread_ts: thread, ...(files.length > 0 ? { subtype: 'file_share' } : {}), extra: { files } });
    else await h.mention({ channel: 'C800', user: 'U1', text: `<@U0FAKEBOT1> ${text}`, ts, extra: { files } });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length > stops, 30_000);
    return { request: h.anthropic.calls.at(-1), ts };
  }

  it('sends an image and a PDF as blocks and a CSV as text, names a .docx, and a follow-up still sees them', async () => {
    const files = [
      h.slack.addFile({ name: 'chart.png', mimetype: 'image/png', bytes: PNG }),
      h.slack.addFile({ name: 'report.pdf', mimetype: 'application/pdf', bytes: PDF }),
      h.slack.addFile({ name: 'stock.csv', mimetype: 'text/csv', bytes: CSV }),
      h.slack.addFile({ name: 'plan.docx', mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: DOCX }),
    ];
    const { request, ts } = await ask('what do these say?', files);
    const blocks = blocksOf(userMessages(request).at(-1));
    assert.deepEqual(blocks.map((b) => b.type), ['image', 'document', 'text', 'text']);
    const [image, document, csv, question] = blocks;
    assert.ok(image?.type === 'image' && image.source.type === 'base64');
    assert.equal(image.source.media_type, 'image/png');
    assert.equal(image.source.data, PNG.toString('base64'));
    assert.ok(document?.type === 'document' && document.source.type === 'base64');
    assert.equal(document.source.media_type, 'application/pdf');
    assert.equal(Buffer.from(document.source.data, 'base64').toString(), PDF.toString());
    assert.ok(csv?.type === 'text' && question?.type === 'text');
    assert.match(csv.text, /name="stock\.csv"[\s\S]*apple,3\npear,5/);
    assert.match(question.text, /^what do these say\?/);
    assert.match(question.text, /A \.docx file \("plan\.docx"\) was attached and could not be read/);
    // Every download went to Slack's url_private with the bot token.
    const downloads = h.slack.calls('files-pri');
    assert.equal(downloads.length, 4);
    assert.ok(downloads.every((call) => call.token === TEST_BOT_TOKEN && call.status === 200));
    // The person is told which file was left out, in one line of the thread.
    const note = h.slack.messages('C800', ts).find((m) => (m.text ?? '').includes('plan.docx'));
    assert.ok(note, 'a note names the file that was not read');

    // A follow-up without files: the earlier image and PDF come back from the store with the history.
    const { request: followUp } = await ask('and the second page?', [], ts);
    const first = blocksOf(userMessages(followUp)[0]);
    assert.deepEqual(first.map((b) => b.type), ['image', 'document', 'text', 'text']);
    assert.deepEqual(first[0], image);
    assert.match(textOf(blocksOf(userMessages(followUp).at(-1))), /and the second page\?/);

    // A plain follow-up in the thread with a file of its own: read like the first question's.
    const log = h.slack.addFile({ name: 'build.log', mimetype: 'text/plain', bytes: Buffer.from('error: disk full') });
    const { request: withFile } = await ask('and this log?', [log], ts);
    const last = blocksOf(userMessages(withFile).at(-1));
    assert.deepEqual(last.map((b) => b.type), ['text', 'text']);
    assert.match(textOf(last), /name="build\.log"[\s\S]*error: disk full[\s\S]*and this log\?/);
    assert.equal(userMessages(withFile).length, 3, 'with the whole thread before it');
  });

  it('tells the person about a file over the cap, without downloading it, and answers the rest', async () => {
    h.slack.clearCalls();
    const big = h.slack.addFile({ name: 'huge.log', mimetype: 'text/plain', bytes: Buffer.alloc(CAP + 1000, 'x') });
    const small = h.slack.addFile({ name: 'notes.md', mimetype: 'text/markdown', bytes: Buffer.from('# Notes\nship it') });
    const { request, ts } = await ask('summarize', [big, small]);
    const text = textOf(blocksOf(userMessages(request).at(-1)));
    assert.match(text, /# Notes\nship it/);
    assert.match(text, /The file "huge\.log" \(40 KB\) is over the 39 KB a file may have, so it was not read\./);
    assert.deepEqual(h.slack.calls('files-pri').map((c) => c.body.file), [small.id]);
    const notes = h.slack.messages('C800', ts).filter((m) => (m.text ?? '').includes('huge.log'));
    assert.equal(notes.length, 1);
    assert.match(notes[0]?.text ?? '', /is over the 39 KB a file may have/);
  });

  it('says so in a plain sentence when Slack refuses a download or a Slack Connect file is not visible', async () => {
    h.slack.expectError('files-pri', 'forbidden');
    h.slack.expectError('files.info', 'file_not_found');
    const refused = h.slack.addFile({ name: 'secret.txt', mimetype: 'text/plain', bytes: Buffer.from('hidden'), status: 403 });
    const connect = h.slack.addFile({ name: 'shared.pdf', mimetype: 'application/pdf', bytes: PDF, slackConnect: 'hidden' });
    // ask() returns once the answer's stream stopped: the question is still answered.
    const { request } = await ask('read these', [refused, connect]);
    const blocks = blocksOf(userMessages(request).at(-1));
    assert.deepEqual(blocks.map((b) => b.type), ['text']);
    const text = textOf(blocks);
    assert.match(text, /I may not read the file "secret\.txt" \(Slack answered 403\)\./);
    assert.match(text, /shared from another organization \(Slack Connect\)/);
    assert.doesNotMatch(text, /hidden/);
  });

  it('reads a Slack Connect file that files.info shows the bot', async () => {
    h.slack.clearCalls();
    const connect = h.slack.addFile({ name: 'partner.csv', mimetype: 'text/csv', bytes: CSV, slackConnect: 'readable' });
    assert.equal(connect.url_private, undefined, 'the event carries no URL');
    const { request } = await ask('what did the partner send?', [connect]);
    assert.match(textOf(blocksOf(userMessages(request).at(-1))), /name="partner\.csv"[\s\S]*apple,3/);
    assert.deepEqual(h.slack.calls('files.info').map((c) => c.body.file), [connect.id]);
  });

  it('keeps a thread past its size cap going: an earlier large file becomes a note naming it, its question stays', async () => {
    // About 52 KB of image and 2 x 32 KB of CSV (base64 and JSON): over the 100 KB this thread may store.
    const image = h.slack.addFile({ name: 'big.png', mimetype: 'image/png', bytes: Buffer.concat([PNG, Buffer.alloc(CAP - 1000)]) });
    const csvs = [1, 2].map((n) => h.slack.addFile({ name: `part${n}.csv`, mimetype: 'text/csv', bytes: Buffer.from('fruit,count\n'.repeat(2500)) }));
    const { ts } = await ask('what is in these?', [image, ...csvs]);
    await ask('and now?', [], ts);
    const { request } = await ask('and the first picture?', [], ts);
    const first = blocksOf(userMessages(request)[0]);
    assert.ok(!first.some((b) => b.type === 'image'), 'the earlier image is no longer sent');
    const text = textOf(first);
    assert.match(text, /\[compacted: an image \([\d,]+ bytes\) attached earlier was removed/);
    assert.match(text, /name="part1\.csv"/, 'what fits stays');
    assert.match(text, /what is in these\?/);
  });

  it('never downloads the files of a question the policy refuses', async () => {
    h.slack.clearCalls();
    const file = h.slack.addFile({ name: 'data.csv', mimetype: 'text/csv', bytes: CSV });
    const ts = nextTs();
    await h.mention({ channel: 'C801', user: 'U1', text: '<@U0FAKEBOT1> look', ts, extra: { files: [file] } });
    await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.body.channel === 'C801', 30_000);
    assert.equal(h.slack.calls('files-pri').length, 0);
  });
});

describe('slack: images over the API\'s limits are scaled down', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ servers: {}, slack: { tokens: [TEST_BOT_TOKEN] }, script: () => reply.text('Looked at them.') });
  });
  after(async () => {
    await h.stop();
  });

  it('a PNG over 5 MB (base64) and a JPEG over 8000 px reach Claude scaled to fit, the fake API checking both limits', async () => {
    const png = await noisyPng(1200, 1000);
    const jpeg = await plainJpeg(8400, 84);
    assert.ok(png.length > (5 * 1024 * 1024 * 3) / 4, 'the PNG is over 5 MB base64-encoded');
    const files = [h.slack.addFile({ name: 'noise.png', mimetype: 'image/png', bytes: png }), h.slack.addFile({ name: 'strip.jpg', mimetype: 'image/jpeg', bytes: jpeg })];
    const ts = nextTs();
    await h.mention({ channel: 'C0SCALE', user: 'U1', text: '<@U0FAKEBOT1> what are these?', ts, extra: { files } });
    await h.slack.waitUntil(() => h.slack.messages('C0SCALE', ts).some((m) => (m.markdown_text ?? '').includes('Looked at them.')), 120_000);
    // The fake API refuses what the real one refuses (anthropic-validate.ts): the request got through.
    const blocks = blocksOf(userMessages(h.anthropic.calls.at(-1)).at(-1));
    assert.deepEqual(blocks.map((b) => b.type), ['image', 'image', 'text']);
    const [scaledPng, scaledJpeg, question] = blocks;
    assert.ok(scaledPng?.type === 'image' && scaledPng.source.type === 'base64' && scaledJpeg?.type === 'image' && scaledJpeg.source.type === 'base64');
    assert.equal(scaledPng.source.media_type, 'image/png');
    assert.ok(scaledPng.source.data.length <= 5 * 1024 * 1024);
    const pngSize = await pixelSize(Buffer.from(scaledPng.source.data, 'base64'));
    assert.ok(Math.abs(pngSize.width / pngSize.height - 1.2) < 0.01, 'aspect ratio kept');
    assert.equal(scaledJpeg.source.media_type, 'image/jpeg');
    assert.deepEqual(await pixelSize(Buffer.from(scaledJpeg.source.data, 'base64')), { width: 8000, height: 80 });
    assert.equal(question?.type === 'text' ? question.text : '', 'what are these?', 'nothing was left out');
    assert.ok(!h.slack.messages('C0SCALE', ts).some((m) => (m.markdown_text ?? m.text ?? '').includes(':paperclip:')), 'no file was named as left out');
  });

  it('the fake API refuses an image over its limits, as the real one does', async () => {
    const jpeg = await plainJpeg(8400, 84);
    const problem = requestProblem(
      { model: DEFAULT_MODEL, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: jpeg.toString('base64') } }] }] },
      'messages',
      LEGACY_API_VERSION,
    );
    assert.equal(problem, 'messages.0.content.0.image.source.base64.data: At least one of the image dimensions exceed max allowed size: 8000 pixels');
    const heavy = 'A'.repeat(5 * 1024 * 1024 + 4);
    const tooHeavy = requestProblem(
      { model: DEFAULT_MODEL, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: heavy } }] }] },
      'messages',
      LEGACY_API_VERSION,
    );
    assert.equal(tooHeavy, `messages.0.content.0.image.source.base64: image exceeds 5 MB maximum: ${heavy.length} bytes > 5242880 bytes`);
  });
});
