// A tool's files as uploads (reply/upload.ts) against the fake Slack through a real WebClient with
// the bot's own client options (no blind resends): which MCP content becomes a file, the file in
// the thread with its bytes, one over the cap named instead of sent, and a lost completion that the
// thread shows did not land, completed once more (and so shown once).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { createLogger } from '../../src/log.js';
import { toolFiles } from '../../src/mcp/convert.js';
import { slackClientOptions } from '../../src/slack/web/slack-retries.js';
import { ReplyWriter } from '../../src/slack/reply/reply-writer.js';
import { ThreadSink, type ThreadSinkOptions } from '../../src/slack/reply/thread-sink.js';
import { toolFileShower, uploadOnce } from '../../src/slack/reply/upload.js';
import { askedFileKind, asksForFile, summaryOf } from '../../src/slack/reply/answer-file.js';
import { markdownTablesAsCsv } from '../../src/files/markdown-csv.js';
import { toolTextFile } from '../../src/files/tool-text-file.js';
import { uploadCap } from '../../src/files/upload-caps.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const CHANNEL = 'C0UPLOAD1';
const logger = createLogger({ level: 'error', write: () => undefined });
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('the upload cap', () => {
  it('is UPLOAD_MAX_BYTES, lowered (never raised) by the policy\'s limits.fileBytes', () => {
    assert.equal(uploadCap(20_000, undefined), 20_000);
    assert.equal(uploadCap(20_000, 5_000), 5_000);
    assert.equal(uploadCap(20_000, 90_000), 20_000);
  });
});

describe('which content of a tool result is shown as a file', () => {
  it('images of any type and binary embedded resources, named by type or URI; text is not a file', () => {
    const items: ContentBlock[] = [
      { type: 'text', text: 'here you go' },
      { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      { type: 'image', data: 'PHN2Zy8+', mimeType: 'image/svg+xml' },
      { type: 'resource', resource: { uri: 'file:///reports/q3%20summary.pdf', mimeType: 'application/pdf', blob: PDF.toString('base64') } },
      { type: 'resource', resource: { uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'plain text' } },
    ];
    assert.deepEqual(
      toolFiles(items).map((f) => [f.name, f.mimeType]),
      [
        ['image-1.png', 'image/png'],
        ['image-2.svg', 'image/svg+xml'],
        ['q3 summary.pdf', 'application/pdf'],
      ],
    );
  });
});

describe('whether a question asks for the answer as a file', () => {
  it('takes "as a file", "in a Markdown file", "as a snippet"; not a question about files', () => {
    for (const yes of ['send the summary as a file', 'put it in a Markdown file please', 'Give me that as a snippet', 'export the table into a text file']) {
      assert.ok(asksForFile(yes), yes);
    }
    for (const no of ['which file changed?', 'read the attached file', 'how do I profile this?', 'summarise the filesystem']) {
      assert.ok(!asksForFile(no), no);
    }
  });
});

describe('an answer as a file: which, its summary, its tables as CSV', () => {
  it('CSV when the question asks for CSV, Markdown for "as a file", none otherwise', () => {
    for (const csv of ['give me that as CSV', 'as a CSV file please', 'export the list to csv', 'put it in a csv']) assert.equal(askedFileKind(csv), 'csv', csv);
    assert.equal(askedFileKind('send it as a file'), 'markdown');
    for (const none of ['what is a CSV?', 'read the attached csv', 'csvkit or pandas?']) assert.equal(askedFileKind(none), undefined, none);
  });

  it('the summary is the first paragraph of prose, cut at a word past 300 characters', () => {
    assert.equal(summaryOf('# Title\n\n| a |\n|---|\n\nFirst words here.\n\nSecond.'), 'First words here.');
    const long = 'word '.repeat(100).trim();
    const summary = summaryOf(long);
    assert.ok(summary.length <= 301 && summary.endsWith('word…'), summary);
    assert.equal(summaryOf('```\ncode\n```'), '');
  });

  it('each Markdown table as RFC 4180 CSV: quoted commas, quotes and line breaks, CRLF, inline Markdown reduced to text', () => {
    const tables = markdownTablesAsCsv('| A | B |\n|---|---|\n| `x, y` | say "hi" |\n| [link](https://example.com) | a<br>b |\n\ntext\n\n| n |\n|---|\n| 1 |');
    assert.deepEqual(tables, [
      { csv: 'A,B\r\n"x, y","say ""hi"""\r\nlink,"a\nb"\r\n', rows: 2 },
      { csv: 'n\r\n1\r\n', rows: 1 },
    ]);
  });
});

describe('a tool\'s long text result as a file', () => {
  it('is <tool>-result.json when the text is a JSON object or array, else <tool>-result.txt', () => {
    assert.deepEqual(
      [toolTextFile('list_issues', '[{"id": 1}]'), toolTextFile('read file', 'plain words'), toolTextFile('x', '{not json')].map((f) => [f.name, f.mimeType]),
      [['list_issues-result.json', 'application/json'], ['read_file-result.txt', 'text/plain'], ['x-result.txt', 'text/plain']],
    );
    assert.equal(Buffer.from(toolTextFile('t', 'héllo').data, 'base64').toString('utf8'), 'héllo');
  });
});

describe('uploading a tool\'s file into a thread', () => {
  let slack: FakeSlackApi;
  let client: webApi.WebClient;
  before(async () => {
    slack = await startFakeSlackApi();
    client = new webApi.WebClient('xoxb-test', { ...slackClientOptions(slack.apiUrl), logLevel: webApi.LogLevel.ERROR });
  });
  after(() => slack.close());

  const thread = () => slack.addUserMessage({ channel: CHANNEL, user: 'U0ASKER01', text: 'make me a report' });
  const sharesIn = (threadTs: string) => slack.messages(CHANNEL, threadTs).filter((m) => (m.files ?? []).length > 0);
  const pdf = { name: 'report.pdf', mimeType: 'application/pdf', data: PDF.toString('base64') };
  /** A reply in the thread whose files are uploaded with a cap of `maxBytes`. */
  const replySink = (threadTs: string, maxBytes: number, options: Partial<ThreadSinkOptions> = {}) =>
    new ThreadSink(new ReplyWriter(client, { channel: CHANNEL, threadTs, recipientTeamId: 'T1', recipientUserId: 'U0ASKER01' }, logger), logger, {
      flushIntervalMs: 0,
      progressIntervalMs: 0,
      keepAliveMs: 60_000,
      allowedUserIds: new Set(['U0ASKER01']),
      finalBlocks: () => [],
      showFiles: toolFileShower({ client, channel: CHANNEL, threadTs }, logger, { maxBytes }),
      ...options,
    });

  it('shares the file in the thread with its bytes', async () => {
    const threadTs = thread();
    const outcome = await uploadOnce({ client, channel: CHANNEL, threadTs }, pdf, { maxBytes: 1000 }, logger);
    assert.ok(outcome.shown);
    const shares = sharesIn(threadTs);
    assert.equal(shares.length, 1);
    assert.equal(shares[0]?.files?.[0]?.name, 'report.pdf');
    assert.deepEqual(slack.uploadedBytes(outcome.fileId), PDF);
  });

  it('names a file over the cap in the tool\'s note instead of sending it', async () => {
    const threadTs = thread();
    const since = slack.calls().length;
    const show = toolFileShower({ client, channel: CHANNEL, threadTs }, logger, { maxBytes: 10 });
    assert.equal(await show([pdf]), 'report.pdf not shown: it is over the 10 bytes a file the bot uploads may have');
    assert.deepEqual(slack.calls().slice(since), [], 'nothing was sent to Slack');
    assert.equal(sharesIn(threadTs).length, 0);
  });

  it('in a reply: the file follows the tool\'s note, and one not shown is named in that note', async () => {
    const threadTs = thread();
    const big = { name: 'big.bin', mimeType: 'application/octet-stream', data: Buffer.alloc(2000).toString('base64') };
    const sink = replySink(threadTs, 1000);
    sink.emit({ type: 'tool_started', id: 't1', server: 'reports', tool: 'make', input: {} });
    sink.emit({ type: 'tool_finished', id: 't1', server: 'reports', tool: 'make', ok: true, durationMs: 1200, summary: '2 items', files: [pdf, big] });
    sink.emit({ type: 'done', text: 'Done.', stopReason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, rounds: 1 });
    await sink.settled();
    const messages = slack.messages(CHANNEL, threadTs).slice(1); // the question first
    assert.deepEqual(messages.map((m) => (m.files ?? []).map((f) => f.name)), [[], ['report.pdf']], 'the answer, then the file');
    assert.equal(messages[0]?.tasks[0]?.output, 'done in 1.2 s: 2 items · big.bin not shown: it is over the 1000 bytes a file the bot uploads may have');
  });

  it('an answer asked for as a file that Slack does not take: the whole answer follows in the message, nothing is lost', async () => {
    const threadTs = thread();
    const sink = replySink(threadTs, 10, { answerFile: { asked: 'markdown' } });
    const answer = 'The report is ready.\n\n- north: 3\n- south: 5';
    sink.emit({ type: 'text', delta: answer });
    sink.emit({ type: 'done', text: answer, stopReason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, rounds: 1 });
    await sink.settled();
    const [reply, ...rest] = slack.messages(CHANNEL, threadTs).slice(1);
    assert.equal(rest.length, 0, 'no file message');
    assert.equal(
      reply?.markdown_text,
      'The report is ready.\n\n_The whole answer is in the file below._\n\n_(answer.md not shown: it is over the 10 bytes a file the bot uploads may have; so here it is.)_\n\n' + answer,
    );
  });

  it('a redone answer does not upload again a file its dead attempt showed (same name and size after the question); a new one it does', async () => {
    const threadTs = thread();
    const dead = await uploadOnce({ client, channel: CHANNEL, threadTs }, pdf, { maxBytes: 1000 }, logger);
    assert.ok(dead.shown);
    const since = slack.calls().length;
    const show = toolFileShower({ client, channel: CHANNEL, threadTs }, logger, { maxBytes: 1000, shownAfter: threadTs });
    const chart = { name: 'chart.png', mimeType: 'image/png', data: Buffer.from('not really a png').toString('base64') };
    assert.equal(await show([pdf, chart]), undefined);
    assert.deepEqual(sharesIn(threadTs).map((m) => m.files?.map((f) => f.name)), [['report.pdf'], ['chart.png']], 'the PDF once, the chart once');
    assert.equal(slack.calls().slice(since).filter((c) => c.method === 'files.getUploadURLExternal').length, 1, 'only the chart was uploaded');
  });

  it('a lost completion that did not land (the thread lacks the file): completed again, shown once', async () => {
    const threadTs = thread();
    // The completion fails with a 500 before Slack carried it out: its outcome is unknown to the bot.
    slack.failNext('files.completeUploadExternal', { status: 500 });
    const outcome = await uploadOnce({ client, channel: CHANNEL, threadTs }, pdf, { maxBytes: 1000 }, logger);
    assert.ok(outcome.shown);
    assert.equal(sharesIn(threadTs).length, 1);
    assert.equal(slack.calls('files.getUploadURLExternal').filter((c) => c.response?.file_id === outcome.fileId).length, 1, 'the bytes were sent once');
  });
});
