// The fetch tap that links a server's request to the POST whose response stream carried it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTap, tapRelatedRequests } from '../../src/mcp/sse-tap.js';

async function run(chunks: string[]): Promise<{ data: string[]; passed: string }> {
  const data: string[] = [];
  const encoder = new TextEncoder();
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const passed = await new Response(source.pipeThrough(eventTap((d) => data.push(d)))).text();
  return { data, passed };
}

describe('eventTap', () => {
  it('reports each event’s data once complete, across chunk boundaries and line endings, bytes unchanged', async () => {
    const chunks = ['id: 1\ndata: {"a"', ':1}\n\n', 'event: message\r\ndata: line one\r', '\ndata: line two\r\n\r\n: comment\n\nid: 9\n\n', 'data:x\n\n'];
    const { data, passed } = await run(chunks);
    assert.deepEqual(data, ['{"a":1}', 'line one\nline two', 'x']);
    assert.equal(passed, chunks.join(''));
  });

  it('reports an event before passing on the chunk that completes it', async () => {
    const order: string[] = [];
    const encoder = new TextEncoder();
    const tap = eventTap((d) => order.push(`seen ${d}`));
    const writer = tap.writable.getWriter();
    const reader = tap.readable.getReader();
    void writer.write(encoder.encode('data: q\n\n'));
    const { value } = await reader.read();
    order.push(`read ${new TextDecoder().decode(value)}`);
    assert.deepEqual(order, ['seen q', 'read data: q\n\n']);
  });
});

describe('tapRelatedRequests', () => {
  const sse = (body: string) => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });

  it('relates server requests on a POST’s event stream to the POSTed request', async () => {
    const related: [unknown, unknown][] = [];
    const body =
      'data: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n' +
      'data: {"jsonrpc":"2.0","id":7,"method":"elicitation/create","params":{}}\n\n' +
      'data: {"jsonrpc":"2.0","id":3,"result":{}}\n\n';
    const fetcher = tapRelatedRequests(async () => sse(body), (server, client) => related.push([server, client]));
    const response = await fetcher('http://x/mcp', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call' }) });
    assert.equal(await response.text(), body);
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.deepEqual(related, [[7, 3]]);
  });

  it('leaves other responses alone', async () => {
    const related: unknown[] = [];
    const json = new Response('{"jsonrpc":"2.0","id":1,"result":{}}', { headers: { 'content-type': 'application/json' } });
    const fetcher = tapRelatedRequests(async () => json, (...args) => related.push(args));
    assert.equal(await fetcher('http://x', { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }), json);
    const stream = sse('data: {"jsonrpc":"2.0","id":1,"method":"roots/list"}\n\n');
    const get = tapRelatedRequests(async () => stream, (...args) => related.push(args));
    assert.equal(await get('http://x', { method: 'GET' }), stream, 'the standalone stream belongs to no request');
    const notification = tapRelatedRequests(async () => sse('data: {}\n\n'), (...args) => related.push(args));
    await (await notification('http://x', { method: 'POST', body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' })).text();
    assert.deepEqual(related, []);
  });
});
