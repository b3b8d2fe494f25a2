import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describeCallError, formatSeconds } from '../../src/mcp/call-errors.js';
import { base64Bytes, convertToolResult, errorResult, formatBytes, NO_CONTENT_TEXT } from '../../src/mcp/convert.js';

const PNG_1K = Buffer.alloc(1200, 7).toString('base64');

describe('convertToolResult', () => {
  it('keeps text as text and summarises its first line; the whole text comes along for a file', () => {
    const result = convertToolResult({ content: [{ type: 'text', text: 'Echo: hello\nsecond line' }] });
    assert.deepEqual(result, { content: [{ type: 'text', text: 'Echo: hello\nsecond line' }], isError: false, summary: 'Echo: hello second line', text: 'Echo: hello\nsecond line' });
  });

  it('turns supported images into base64 image blocks', () => {
    const result = convertToolResult({ content: [{ type: 'image', data: PNG_1K, mimeType: 'image/png' }] });
    assert.deepEqual(result.content, [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1K } }]);
    assert.equal(result.summary, 'image (png, 1.2 kB)');
    for (const mime of ['image/jpeg', 'image/gif', 'image/webp']) {
      assert.equal(convertToolResult({ content: [{ type: 'image', data: PNG_1K, mimeType: mime }] }).content[0]?.type, 'image');
    }
  });

  it('describes other image types, audio and oversized images in text', () => {
    const svg = convertToolResult({ content: [{ type: 'image', data: PNG_1K, mimeType: 'image/svg+xml' }] });
    assert.deepEqual(svg.content, [{ type: 'text', text: '[image: image/svg+xml, 1.2 kB; this image type cannot be shown to the model]' }]);
    const audio = convertToolResult({ content: [{ type: 'audio', data: PNG_1K, mimeType: 'audio/wav' }] });
    assert.deepEqual(audio.content, [{ type: 'text', text: '[audio: audio/wav, 1.2 kB; audio cannot be shown to the model]' }]);
    assert.equal(audio.summary, 'audio (wav, 1.2 kB)');
    const huge = 'A'.repeat(6 * 1024 * 1024);
    const big = convertToolResult({ content: [{ type: 'image', data: huge, mimeType: 'image/png' }] });
    assert.equal(big.content[0]?.type, 'text');
    assert.match(JSON.stringify(big.content), /too large/);
  });

  it('inlines embedded text resources with their URI and describes blobs', () => {
    const result = convertToolResult({
      content: [
        { type: 'resource', resource: { uri: 'file:///notes.md', mimeType: 'text/markdown', text: '# Notes' } },
        { type: 'resource', resource: { uri: 'demo://blob/1', mimeType: 'application/octet-stream', blob: PNG_1K } },
        { type: 'resource', resource: { uri: 'demo://blob/2', blob: 'AAAA' } },
      ],
    });
    assert.deepEqual(result.content, [
      { type: 'text', text: 'Resource file:///notes.md (text/markdown):\n# Notes' },
      { type: 'text', text: '[resource demo://blob/1: application/octet-stream, 1.2 kB; binary content not shown]' },
      { type: 'text', text: '[resource demo://blob/2: unknown type, 3 B; binary content not shown]' },
    ]);
    assert.equal(result.summary, '3 items');
  });

  it('turns resource links into text with name, URI and type', () => {
    const result = convertToolResult({
      content: [
        { type: 'text', text: 'Here are 2 links:' },
        { type: 'resource_link', uri: 'demo://text/2', name: 'Text Resource 2', mimeType: 'text/plain', description: 'plaintext' },
        { type: 'resource_link', uri: 'demo://blob/1', name: 'Blob 1' },
      ],
    });
    assert.deepEqual(result.content.slice(1), [
      { type: 'text', text: 'Resource link: Text Resource 2 <demo://text/2> (text/plain) - plaintext' },
      { type: 'text', text: 'Resource link: Blob 1 <demo://blob/1>' },
    ]);
    assert.equal(result.summary, '3 items: Here are 2 links:');
  });

  it('uses structuredContent as JSON text only when there is no text', () => {
    const structured = convertToolResult({ content: [], structuredContent: { temperature: 33, conditions: 'Cloudy' } });
    assert.deepEqual(structured.content, [{ type: 'text', text: JSON.stringify({ temperature: 33, conditions: 'Cloudy' }, null, 2) }]);
    assert.match(structured.summary, /^\{ "temperature": 33/);
    const both = convertToolResult({ content: [{ type: 'text', text: '{"t":33}' }], structuredContent: { t: 33 } });
    assert.deepEqual(both.content, [{ type: 'text', text: '{"t":33}' }]);
  });

  it('never returns an empty text block', () => {
    const blank = convertToolResult({ content: [{ type: 'text', text: '' }, { type: 'text', text: '  \n' }] });
    assert.deepEqual(blank.content, [{ type: 'text', text: NO_CONTENT_TEXT }]);
    const none = convertToolResult({ content: [] });
    assert.deepEqual(none.content, [{ type: 'text', text: NO_CONTENT_TEXT }]);
    const mixed = convertToolResult({ content: [{ type: 'text', text: '' }, { type: 'image', data: PNG_1K, mimeType: 'image/png' }] });
    assert.deepEqual(mixed.content.map((b) => b.type), ['image']);
  });

  it('carries isError and says so in the summary', () => {
    const result = convertToolResult({ content: [{ type: 'text', text: 'the widget is broken' }], isError: true });
    assert.equal(result.isError, true);
    assert.equal(result.summary, 'error: the widget is broken');
  });

  it('keeps summaries to one short line', () => {
    const result = convertToolResult({ content: [{ type: 'text', text: 'word '.repeat(100) }] });
    assert.ok(result.summary.length <= 80, result.summary);
    assert.ok(!result.summary.includes('\n'));
    assert.ok(result.summary.endsWith('…'));
  });

  it('handles the old toolResult form', () => {
    assert.deepEqual(convertToolResult({ toolResult: { ok: true } }).content, [{ type: 'text', text: '{\n  "ok": true\n}' }]);
  });

  it('does not drop content types it does not know', () => {
    const future = { content: [{ type: 'hologram', data: 'x' }] } as unknown as Parameters<typeof convertToolResult>[0];
    assert.deepEqual(convertToolResult(future).content, [{ type: 'text', text: '[unsupported content: hologram]' }]);
  });
});

describe('errors as results', () => {
  const ctx = { server: 'everything', tool: 'slow', timeoutMs: 60_000, aborted: false };

  it('says a call timed out, and after how long', () => {
    const err = new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: 60_000 });
    assert.match(describeCallError(err, ctx), /timed out after 60 s/);
    assert.match(describeCallError(new McpError(ErrorCode.RequestTimeout, 'x'), { ...ctx, timeoutMs: 1500 }), /timed out after 1\.5 s/);
    assert.equal(formatSeconds(300), '0.3 s');
  });

  it('explains dropped connections, cancellations and JSON-RPC errors', () => {
    assert.match(describeCallError(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'), ctx), /closed the connection/);
    assert.match(describeCallError(new Error('whatever'), { ...ctx, aborted: true }), /cancelled/);
    assert.match(describeCallError(new McpError(ErrorCode.InvalidParams, 'bad a'), ctx), /-32602.*bad a/);
    assert.equal(describeCallError('plain', ctx), 'plain');
  });

  it('errorResult is an isError text result', () => {
    assert.deepEqual(errorResult('boom'), { content: [{ type: 'text', text: 'boom' }], isError: true, summary: 'error: boom' });
    assert.equal((errorResult('').content[0] as { text: string }).text, 'the tool call failed');
  });
});

describe('sizes', () => {
  it('computes decoded base64 sizes and formats them', () => {
    assert.equal(base64Bytes(Buffer.alloc(10).toString('base64')), 10);
    assert.equal(base64Bytes(Buffer.alloc(11).toString('base64')), 11);
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1234), '1.2 kB');
    assert.equal(formatBytes(3_400_000), '3.4 MB');
  });
});
