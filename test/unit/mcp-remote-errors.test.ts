// Reading the SDK's HTTP transport failures: what to tell people, whether to retry, whether to fall
// back to SSE, and whether a failed request was never delivered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { classifyRemote, describeRemoteStart, isSessionLost, worthSseFallback } from '../../src/mcp/remote-errors.js';
import { scrubUrl, urlLabel } from '../../src/mcp/remote-transport.js';

const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
const label = 'https://mcp.example.com/mcp';

describe('classifyRemote and isSessionLost', () => {
  it('reads statuses, network codes, timeouts and JSON-RPC errors', () => {
    assert.deepEqual(classifyRemote(new StreamableHTTPError(404, 'Error POSTing to endpoint: <html>')), {
      kind: 'http',
      status: 404,
      detail: 'Streamable HTTP error: Error POSTing to endpoint: <html>',
    });
    assert.equal(classifyRemote(new SseError(401, 'Non-200 status code (401)', undefined as never)).kind, 'http');
    assert.deepEqual(classifyRemote(new Error('Error POSTing to endpoint (HTTP 503): busy')), { kind: 'http', status: 503, detail: 'Error POSTing to endpoint (HTTP 503): busy' });
    assert.deepEqual(classifyRemote(fetchFailed('ECONNREFUSED')), { kind: 'network', code: 'ECONNREFUSED', detail: 'connect ECONNREFUSED' });
    assert.deepEqual(classifyRemote(new SseError(undefined, 'TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9', undefined as never)).kind, 'network');
    assert.deepEqual(classifyRemote(new McpError(ErrorCode.RequestTimeout, 'Request timed out')), { kind: 'timeout' });
    assert.deepEqual(classifyRemote(new McpError(ErrorCode.InvalidParams, 'bad')), { kind: 'protocol' });
    assert.deepEqual(classifyRemote('weird'), { kind: 'other', detail: 'weird' });
  });

  it('counts only "the session is unknown" and "never connected" as lost before delivery', () => {
    assert.equal(isSessionLost(classifyRemote(new StreamableHTTPError(404, 'Session not found'))), true);
    assert.equal(isSessionLost(classifyRemote(new StreamableHTTPError(400, 'Bad Request: No valid session ID provided'))), true);
    assert.equal(isSessionLost(classifyRemote(new StreamableHTTPError(400, 'Parse error'))), false);
    assert.equal(isSessionLost(classifyRemote(fetchFailed('ECONNREFUSED'))), true);
    assert.equal(isSessionLost(classifyRemote(fetchFailed('ECONNRESET'))), false, 'it may have run');
    assert.equal(isSessionLost(classifyRemote(new StreamableHTTPError(500, 'boom'))), false);
    assert.equal(isSessionLost(classifyRemote(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'))), false);
  });
});

describe('worthSseFallback', () => {
  it('follows the spec: a 4xx, but not an auth failure', () => {
    assert.deepEqual([400, 404, 405, 401, 403, 500, undefined].map(worthSseFallback), [true, true, true, false, false, false, false]);
  });
});

describe('describeRemoteStart', () => {
  it('words each failure with what to do, and says whether retrying may help', () => {
    assert.deepEqual(describeRemoteStart(new StreamableHTTPError(401, 'x'), label), {
      httpStatus: 401,
      retryable: false,
      message:
        'https://mcp.example.com/mcp needs authorization (HTTP 401); put a token in the entry\'s "headers", e.g. {"Authorization": "Bearer ${API_TOKEN}"}, or set TOKEN_ENCRYPTION_KEY so each person signs in with OAuth',
    });
    assert.equal(describeRemoteStart(new StreamableHTTPError(403, 'x'), label).message, 'https://mcp.example.com/mcp refused access (HTTP 403); check the token in the entry\'s "headers"');
    assert.deepEqual(describeRemoteStart(new StreamableHTTPError(404, '<html>long page</html>'), label), {
      httpStatus: 404,
      retryable: false,
      message: 'https://mcp.example.com/mcp answered HTTP 404; check the entry\'s "url"',
    });
    assert.equal(describeRemoteStart(new StreamableHTTPError(502, 'x'), label).retryable, true);
    assert.deepEqual(describeRemoteStart(fetchFailed('ECONNREFUSED'), label), { retryable: true, message: 'could not connect to https://mcp.example.com/mcp: connection refused' });
    assert.deepEqual(describeRemoteStart(fetchFailed('ENOTFOUND'), label), { retryable: true, message: 'could not find the host of https://mcp.example.com/mcp; check the entry\'s "url"' });
    assert.deepEqual(describeRemoteStart(new McpError(ErrorCode.RequestTimeout, 'Request timed out'), label), { retryable: true, message: 'https://mcp.example.com/mcp did not answer the MCP handshake in time' });
  });
});

describe('scrubUrl and urlLabel', () => {
  const url = 'https://user1:hunter22@mcp.example.com:8443/v1/sk-live-0123456789abcdef/mcp?key=QUERY';
  it('names a remote server by scheme, host and port only', () => {
    assert.equal(urlLabel(url), 'https://mcp.example.com:8443');
    assert.equal(urlLabel('https://mcp.example.com/sk-live-0123456789abcdef/mcp'), 'https://mcp.example.com');
  });
  it('takes every form of the secret out of a text, and leaves the rest readable', () => {
    const text = `POST ${url} failed; path /v1/sk-live-0123456789abcdef/mcp?key=QUERY; token sk-live-0123456789abcdef; ?key=QUERY; user1 hunter22; see /mcp docs`;
    const scrubbed = scrubUrl(text, url);
    for (const secret of ['sk-live-0123456789abcdef', 'QUERY', 'user1', 'hunter22']) assert.ok(!scrubbed.includes(secret), `${secret} in ${scrubbed}`);
    assert.match(scrubbed, /^POST https:\/\/mcp\.example\.com:8443 failed; .* see \/mcp docs$/);
    assert.equal(scrubUrl('could not reach https://h.example.com/mcp', 'https://h.example.com/mcp'), 'could not reach https://h.example.com');
  });
});
