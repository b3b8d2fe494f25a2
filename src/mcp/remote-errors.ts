// What went wrong talking to a server over HTTP, from the shapes the SDK's transports throw: an HTTP
// status (StreamableHTTPError, SseError, the SSE transport's POST error), a network failure (fetch's
// TypeError with a cause code), or a timeout. Used to word start failures and to tell a lost session
// (the request never reached the server) from a failure during a request.
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

export type RemoteFailure =
  | { kind: 'http'; status: number; detail: string }
  | { kind: 'network'; code: string | undefined; detail: string }
  | { kind: 'timeout' }
  /** The server answered with a JSON-RPC error: the connection itself is fine. */
  | { kind: 'protocol' }
  | { kind: 'other'; detail: string };

// Codes that mean no connection was made, so nothing was delivered.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifyRemote(err: unknown): RemoteFailure {
  if (err instanceof McpError) {
    if ((err.code as ErrorCode) === ErrorCode.RequestTimeout) return { kind: 'timeout' };
    if ((err.code as ErrorCode) === ErrorCode.ConnectionClosed) return { kind: 'network', code: undefined, detail: 'the connection closed' };
    return { kind: 'protocol' };
  }
  if ((err instanceof StreamableHTTPError || err instanceof SseError) && typeof err.code === 'number' && err.code >= 100) {
    return { kind: 'http', status: err.code, detail: err.message };
  }
  if (err instanceof Error) {
    const posted = /\(HTTP (\d{3})\)/.exec(err.message);
    if (posted?.[1]) return { kind: 'http', status: Number(posted[1]), detail: err.message };
    const cause = (err as { cause?: unknown }).cause;
    const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (typeof code === 'string') return { kind: 'network', code, detail: (cause as Error).message ?? code };
    // SseError keeps only the text of fetch's failure.
    const named = /\b(E[A-Z_]{3,})\b/.exec(err.message)?.[1];
    if (err.message.includes('fetch failed') || named) return { kind: 'network', code: named, detail: err.message };
    return { kind: 'other', detail: err.message };
  }
  return { kind: 'other', detail: String(err) };
}

/**
 * A request failed because the session is gone and never saw it: the server forgot the session
 * (404, or the 400 some servers send for an unknown session id) or could not be reached at all.
 */
export function isSessionLost(failure: RemoteFailure): boolean {
  if (failure.kind === 'http') return failure.status === 404 || (failure.status === 400 && /session/i.test(failure.detail));
  return failure.kind === 'network' && failure.code !== undefined && NOT_CONNECTED.has(failure.code);
}

/** The spec's backward-compatibility rule: a 4xx to the first POST means "try the older SSE transport". */
export function worthSseFallback(status: number | undefined): boolean {
  // Except auth failures: the SSE endpoint would refuse the same credentials.
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
}

export interface StartProblem {
  message: string;
  retryable: boolean;
  httpStatus?: number;
}

/** A failed remote start in words a person can act on; `label` is the URL without its query. */
export function describeRemoteStart(err: unknown, label: string): StartProblem {
  const failure = classifyRemote(err);
  switch (failure.kind) {
    case 'http': {
      const { status } = failure;
      const base = { httpStatus: status, retryable: status >= 500 || status === 408 || status === 429 };
      if (status === 401) {
        return {
          ...base,
          message:
            `${label} needs authorization (HTTP 401); put a token in the entry's "headers", e.g. ` +
            '{"Authorization": "Bearer ${API_TOKEN}"}, or set TOKEN_ENCRYPTION_KEY so each person signs in with OAuth',
        };
      }
      if (status === 403) return { ...base, message: `${label} refused access (HTTP 403); check the token in the entry's "headers"` };
      if (base.retryable) return { ...base, message: `${label} answered HTTP ${status}; trying again` };
      return { ...base, message: `${label} answered HTTP ${status}; check the entry's "url"` };
    }
    case 'network':
      if (failure.code === 'ECONNREFUSED') return { retryable: true, message: `could not connect to ${label}: connection refused` };
      if (failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') {
        return { retryable: true, message: `could not find the host of ${label}; check the entry's "url"` };
      }
      return { retryable: true, message: `could not reach ${label}: ${failure.detail}` };
    case 'timeout':
      return { retryable: true, message: `${label} did not answer the MCP handshake in time` };
    case 'protocol':
      return { retryable: false, message: `${label} refused the MCP handshake: ${(err as Error).message}` };
    case 'other':
      return { retryable: false, message: `${label}: ${failure.detail}` };
  }
}
