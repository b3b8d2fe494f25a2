// Prompts and resources as Claude content: text as text, images as images, text-like blobs decoded,
// other binary described.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertPrompt, convertResource } from '../../src/mcp/content-convert.js';
import { urlLabel } from '../../src/mcp/remote-transport.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('convertResource', () => {
  it('converts each kind of content', () => {
    const result = convertResource('s', 'file:///x', {
      contents: [
        { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'hello' },
        { uri: 'file:///b.png', mimeType: 'image/png', blob: b64('PNGDATA') },
        { uri: 'file:///c.json', mimeType: 'application/json', blob: b64('{"a":1}') },
        { uri: 'file:///d.bin', mimeType: 'application/octet-stream', blob: b64('xyz') },
        { uri: 'file:///e.txt', mimeType: 'text/plain', blob: b64(Buffer.from([0xff, 0xfe, 0x00])) },
        { uri: 'file:///f.svg', mimeType: 'image/svg+xml', blob: b64('<svg/>') },
      ],
    });
    assert.deepEqual(result.content, [
      { type: 'text', text: 'Resource file:///a.txt (text/plain):\nhello' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64('PNGDATA') } },
      { type: 'text', text: 'Resource file:///c.json (application/json):\n{"a":1}' },
      { type: 'text', text: '[resource file:///d.bin: application/octet-stream, 3 B; binary content not shown]' },
      { type: 'text', text: '[resource file:///e.txt: text/plain, 3 B; binary content not shown]' },
      { type: 'text', text: 'Resource file:///f.svg (image/svg+xml):\n<svg/>' },
    ]);
    assert.equal(result.summary, '6 parts of file:///x');
    assert.deepEqual([result.server, result.uri], ['s', 'file:///x']);
  });

  it('never returns nothing', () => {
    assert.deepEqual(convertResource('s', 'mem://empty', { contents: [] }).content, [{ type: 'text', text: '(the resource mem://empty is empty)' }]);
    assert.equal(convertResource('s', 'mem://pic', { contents: [{ uri: 'mem://pic', mimeType: 'image/gif', blob: b64('GIF') }] }).summary, 'image mem://pic');
  });
});

describe('convertPrompt', () => {
  it('gives each message as blocks and as text', () => {
    const prompt = convertPrompt({
      description: 'Review',
      messages: [
        { role: 'user', content: { type: 'text', text: 'Look at this' } },
        { role: 'user', content: { type: 'image', data: b64('x'), mimeType: 'image/jpeg' } },
        { role: 'assistant', content: { type: 'text', text: '   ' } },
      ],
    });
    assert.deepEqual(prompt, {
      description: 'Review',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look at this' }], text: 'Look at this' },
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: b64('x') } }], text: '[image: image/jpeg]' },
        { role: 'assistant', content: [], text: '' },
      ],
    });
  });
});

describe('urlLabel', () => {
  it('keeps scheme, host and port only: services put secrets in the path too', () => {
    assert.equal(urlLabel('https://user:pw@mcp.example.com:8443/v1/mcp?token=abc#x'), 'https://mcp.example.com:8443');
    assert.equal(urlLabel('not a url'), '(invalid url)');
  });
});
