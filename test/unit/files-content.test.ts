// What an attached file becomes for Claude (src/files/content.ts), how a Slack file is downloaded
// within the caps and only from Slack (src/slack/intake/files.ts), and which @paths the terminal
// chat attaches (src/cli/attached-files.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { atPaths, attachFiles } from '../../src/cli/attached-files.js';
import { megabytes, questionContent, toBlock } from '../../src/files/content.js';
import { imageDimensions } from '../../src/files/image-size.js';
import { compactToSize, wasCompacted } from '../../src/agent/transcript-compact.js';
import type { Transcript } from '../../src/agent/types.js';
import { createFileLoader, fileOrigins, loadFiles, type SlackFileRef } from '../../src/slack/intake/files.js';
import { parsePolicyFile } from '../../src/policy/policy-file.js';
import { ConfigError } from '../../src/errors.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

describe('toBlock', () => {
  it('takes the image type from the bytes, not from the name or the declared type', () => {
    for (const [bytes, type] of [[PNG, 'image/png'], [JPEG, 'image/jpeg'], [WEBP, 'image/webp'], [Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'image/gif']] as const) {
      const result = toBlock({ name: 'screenshot.png', mimetype: 'image/png', bytes });
      assert.ok(result.ok && result.block.type === 'image' && result.block.source.type === 'base64');
      assert.equal(result.block.source.media_type, type);
      assert.equal(result.block.source.data, bytes.toString('base64'));
    }
  });

  it('makes a PDF a document block titled with its name, and names an encrypted one', () => {
    const result = toBlock({ name: 'q3.pdf', bytes: PDF });
    assert.ok(result.ok && result.block.type === 'document' && result.block.source.type === 'base64');
    assert.equal(result.block.source.media_type, 'application/pdf');
    assert.equal(result.block.title, 'q3.pdf');
    const locked = toBlock({ name: 'locked.pdf', bytes: Buffer.from('%PDF-1.7\ntrailer << /Root 1 0 R /Encrypt 5 0 R >>\n%%EOF\n') });
    assert.deepEqual(locked, { ok: false, sentence: 'The PDF "locked.pdf" is encrypted or password-protected, which Claude cannot read, so it was not read.' });
  });

  it('reads text-like files by type or extension as text, with the file named', () => {
    for (const file of [{ name: 'a.csv', mimetype: 'text/csv' }, { name: 'x.ts', mimetype: 'application/octet-stream' }, { name: 'data', mimetype: 'application/json' }]) {
      const result = toBlock({ ...file, bytes: Buffer.from('é, ok') });
      assert.ok(result.ok && result.block.type === 'text', file.name);
      assert.equal(result.block.text, `<attached_file name="${file.name}">\né, ok\n</attached_file>`);
    }
  });

  it('names a file it cannot read, also binary bytes behind a text name, and a name cannot break the tag', () => {
    const docx = toBlock({ name: 'plan.docx', mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: Buffer.from('PK\u0003\u0004') });
    assert.deepEqual(docx, { ok: false, sentence: 'A .docx file ("plan.docx") was attached and could not be read: only images (PNG, JPEG, GIF, WebP), PDFs and text files are.' });
    const binary = toBlock({ name: 'dump.txt', bytes: Buffer.from([0x00, 0x01, 0xfe, 0xff]) });
    assert.ok(!binary.ok && binary.sentence.startsWith('A .txt file ("dump.txt")'));
    const odd = toBlock({ name: 'x"><b>.md', bytes: Buffer.from('hi') });
    assert.ok(odd.ok && odd.block.type === 'text');
    assert.match(odd.block.text, /^<attached_file name="x___b_\.md">/);
  });

  it('refuses an image over the API\'s 5 MB (base64) that was not scaled down, in one sentence', () => {
    const big = Buffer.concat([PNG, Buffer.alloc(4 * 1024 * 1024)]);
    const result = toBlock({ name: 'photo.png', bytes: big });
    assert.ok(!result.ok);
    assert.match(result.sentence, /^The image "photo\.png" is 4 MB, over the 3\.8 MB an image may have for Claude, and could not be scaled down \(only images of up to 50 megapixels are\), so it was not read\.$/);
  });

  it('refuses an image over the API\'s 8000x8000 pixels that was not scaled down, in one sentence', () => {
    const wide = Buffer.from(PNG);
    wide.writeUInt32BE(9000, 16);
    const result = toBlock({ name: 'panorama.png', bytes: wide });
    assert.deepEqual(result, { ok: false, sentence: 'The image "panorama.png" is 9000x1 pixels, over the 8000x8000 an image may have for Claude, and could not be scaled down (only images of up to 50 megapixels are), so it was not read.' });
  });

  it('puts files before the question and the left-out files after it; no files leave the text as it is', () => {
    assert.equal(questionContent('hi', [], []), 'hi');
    const image = toBlock({ name: 'a.png', bytes: PNG });
    assert.ok(image.ok);
    assert.deepEqual(questionContent('what is it?', [image.block], ['One was left out.']), [image.block, { type: 'text', text: 'what is it?\n\n[One was left out.]' }]);
    assert.deepEqual(questionContent('', [image.block], []), [image.block, { type: 'text', text: '(The message has only the attached files.)' }]);
  });

  it('writes sizes as people read them', () => {
    assert.deepEqual([megabytes(900), megabytes(1536), megabytes(5 * 1024 * 1024), megabytes(24 * 1024 * 1024)], ['900 bytes', '1.5 KB', '5 MB', '24 MB']);
  });
});

describe('attached files in a thread past its size cap', () => {
  it('leave a note in their place, oldest first, while the questions\' text and the latest turn stay', () => {
    const big = Buffer.concat([PNG, Buffer.alloc(60_000)]);
    const image = toBlock({ name: 'a.png', bytes: big });
    const pdf = toBlock({ name: 'q3.pdf', bytes: Buffer.concat([PDF, Buffer.alloc(60_000)]) });
    const csv = toBlock({ name: 'stock.csv', bytes: Buffer.from('fruit,count\n'.repeat(5000)) });
    assert.ok(image.ok && pdf.ok && csv.ok);
    const thread: Transcript = [
      { role: 'user', content: [image.block, pdf.block, csv.block, { type: 'text', text: 'what are these?' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'A picture, a report and a table.' }] },
      { role: 'user', content: [image.block, { type: 'text', text: 'and this one?' }] },
    ];
    const compacted = compactToSize(thread, 100_000);
    assert.equal(compacted.turns, 0, 'no turn was dropped');
    const first = compacted.messages[0];
    assert.ok(first && Array.isArray(first.content));
    assert.deepEqual(first.content.map((b) => b.type), ['text', 'text', 'text', 'text']);
    const texts = first.content.map((b) => (b.type === 'text' ? b.text : ''));
    assert.match(texts[0] ?? '', /^\[compacted: an image \([\d,]+ bytes\) attached earlier was removed/);
    assert.match(texts[1] ?? '', /^\[compacted: a PDF "q3\.pdf"/);
    assert.equal(texts[3], 'what are these?');
    assert.deepEqual(compacted.messages[2], thread[2], 'the latest turn keeps its image');
    assert.ok(wasCompacted(compacted.messages));
  });
});

describe('imageDimensions', () => {
  it('reads the size from PNG, GIF, JPEG and WebP headers, and gives up on a cut header', () => {
    assert.deepEqual(imageDimensions(PNG, 'image/png'), { width: 1, height: 1 });
    const gif = Buffer.from('GIF89a\x40\x01\xf0\x00', 'latin1');
    assert.deepEqual(imageDimensions(gif, 'image/gif'), { width: 320, height: 240 });
    // SOI, an APP0 segment of 16 bytes, then SOF0: length, precision, height 600, width 800.
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.alloc(14), Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20])]);
    assert.deepEqual(imageDimensions(jpeg, 'image/jpeg'), { width: 800, height: 600 });
    // VP8X: canvas width - 1 and height - 1 as 24-bit little-endian numbers at 24 and 27.
    const webp = Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8X', 'latin1'), Buffer.alloc(8), Buffer.from([0x3f, 0x1f, 0x00, 0x0f, 0x00, 0x00])]);
    assert.deepEqual(imageDimensions(webp, 'image/webp'), { width: 8000, height: 16 });
    assert.equal(imageDimensions(JPEG, 'image/jpeg'), undefined);
  });
});

describe('loadFiles (Slack)', () => {
  const origin = 'http://127.0.0.1:1';
  const ref = (id: string, name: string, extra: Partial<SlackFileRef> = {}): SlackFileRef => ({ id, name, url_private: `${origin}/files-pri/T1-${id}/${name}`, ...extra });
  /** A fetch that serves `bodies` by file id and records what it was asked. */
  function fakeFetch(bodies: Record<string, { body: Uint8Array; type?: string; length?: boolean }>) {
    const asked: { url: string; auth: string | null }[] = [];
    const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = input instanceof Request ? input.url : input.toString();
      asked.push({ url, auth: new Headers(init?.headers).get('authorization') });
      const id = /T1-(F\d+)/.exec(url)?.[1] ?? '';
      const served = bodies[id];
      if (!served) return Promise.resolve(new Response('Not Found', { status: 404 }));
      const headers: Record<string, string> = { 'content-type': served.type ?? 'application/octet-stream' };
      if (served.length !== false) headers['content-length'] = String(served.body.length);
      // A stream without content-length: the cap is checked while reading.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(served.body);
          controller.close();
        },
      });
      return Promise.resolve(new Response(stream, { headers }));
    };
    return { fetch, asked };
  }

  it('downloads with the bot token, only from Slack\'s origins, and keeps to the caps', async () => {
    const { fetch, asked } = fakeFetch({
      F1: { body: PNG },
      F2: { body: Buffer.alloc(600, 'a'), type: 'text/plain', length: false },
      F3: { body: Buffer.alloc(300, 'b'), type: 'text/plain' },
      F4: { body: Buffer.alloc(300, 'c'), type: 'text/plain' },
    });
    const caps = { maxFileBytes: 500, maxQuestionBytes: 500 };
    const files = await loadFiles(
      [ref('F1', 'a.png'), ref('F2', 'long.txt'), ref('F3', 'b.txt'), ref('F4', 'c.txt'), ref('F5', 'evil.txt', { url_private: 'https://attacker.example/x' })],
      { token: 'xoxb-1', origins: fileOrigins(`${origin}/api/`), caps, fetch },
    );
    assert.deepEqual(files.blocks.map((b) => b.type), ['image', 'text']);
    assert.deepEqual(files.sentences, [
      // Its size was unknown (no content-length): the download stopped at what the question had left.
      'The file "long.txt" is over the 500 bytes the files of one question may have together, so it was not read.',
      `The file "c.txt" (300 bytes) is over the 500 bytes the files of one question may have together, so it was not read.`,
      'The file "evil.txt" is not stored by Slack, so I did not read it.',
    ]);
    assert.ok(asked.every((a) => a.auth === 'Bearer xoxb-1' && a.url.startsWith(origin)), 'the token went to Slack only');
  });

  it('says why a file is not read: a sign-in page, a 403, Slack Connect, a deleted file', async () => {
    const { fetch } = fakeFetch({ F1: { body: Buffer.from('<html>sign in</html>'), type: 'text/html; charset=utf-8' } });
    const files = await loadFiles(
      [ref('F1', 'a.pdf'), ref('F9', 'gone.txt'), { id: 'F7', name: 'F7', file_access: 'check_file_info' }, ref('F8', 'old.txt', { mode: 'tombstone' })],
      { token: 'xoxb-1', origins: [origin], caps: { maxFileBytes: 1000, maxQuestionBytes: 1000 }, fetch },
    );
    assert.equal(files.blocks.length, 0);
    assert.deepEqual(files.sentences, [
      'I may not read the file "a.pdf" (Slack sent a sign-in page: is the files:read scope granted?).',
      'I may not read the file "gone.txt" (Slack answered 404).',
      'The file "F7" is shared from another organization (Slack Connect) or linked from elsewhere, and I may not read it.',
      'The file "old.txt" was deleted, so it was not read.',
    ]);
  });
});

describe('the policy\'s limits.fileBytes', () => {
  it('is read from the policy file, a whole number of bytes', () => {
    const policy = parsePolicyFile(JSON.stringify({ limits: { fileBytes: 5000 } }), { file: 'policy.json', knownServers: [] });
    assert.equal(policy.limits.fileBytes, 5000);
    assert.throws(
      () => parsePolicyFile(JSON.stringify({ limits: { fileBytes: 0 } }), { file: 'policy.json', knownServers: [] }),
      (error: unknown) => error instanceof ConfigError && /limits\.fileBytes/.test(error.message) && /at least 1 bytes/.test(error.message),
    );
  });

  it('lowers both caps for a question, and the thread is told in one line', async () => {
    const origin = 'http://127.0.0.1:1';
    const fetch = () => Promise.resolve(new Response(Buffer.alloc(300, 'a'), { headers: { 'content-type': 'text/plain' } }));
    const load = createFileLoader({ token: 'xoxb-1', origins: [origin], caps: { maxFileBytes: 1000, maxQuestionBytes: 1000 }, fetch });
    const refs: SlackFileRef[] = [{ id: 'F1', name: 'a.txt', url_private: `${origin}/files-pri/T1-F1/a.txt` }];
    assert.equal((await load(refs)).note, undefined, 'under the settings\' caps');
    const limited = await load(refs, undefined, 100);
    // No content-length: the download stops at the cap, the size unknown.
    assert.equal(limited.note, ':paperclip: The file "a.txt" is over the 100 bytes a file may have, so it was not read.');
    assert.deepEqual(limited.content('read it'), [{ type: 'text', text: 'read it\n\n[The file "a.txt" is over the 100 bytes a file may have, so it was not read.]' }]);
  });
});

describe('@path in the terminal chat', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'files-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds @paths, quoted or not, without taking e-mail addresses', () => {
    assert.deepEqual(atPaths('see @a.txt, @"my file.md" and mail bob@example.com or ask @alice'), ['a.txt', 'my file.md', 'alice']);
  });

  it('attaches the files relative to the folder, names missing and oversized ones, leaves @names as text', async () => {
    writeFileSync(path.join(dir, 'pic.png'), PNG);
    writeFileSync(path.join(dir, 'big.txt'), 'x'.repeat(2000));
    const attached = await attachFiles('look at @pic.png @big.txt @nope.txt, @alice', { maxFileBytes: 1000, maxQuestionBytes: 1000 }, dir);
    assert.ok(Array.isArray(attached.content));
    assert.deepEqual(attached.content.map((b) => b.type), ['image', 'text']);
    assert.deepEqual(attached.sentences, [
      'The file "big.txt" (2 KB) is over the 1000 bytes a file may have, so it was not read.',
      'The file "nope.txt" was not found, so it was not read.',
    ]);
  });
});
