// Servers reached by URL: Streamable HTTP (the current transport) or HTTP+SSE (the one before it, still
// run by many servers). The entry's headers go with every request, including the SSE stream's GET.
//
// Authentication is the entry's static headers, and for OAuth servers the SDK's own OAuth client
// (an OAuthClientProvider per person, oauth-provider.ts): it adds the bearer token, refreshes it on a
// 401; a sign-in it cannot finish alone fails the request with the SDK's UnauthorizedError (the person
// is asked to connect, see personal.ts). A 403 insufficient_scope stops in the fetch (oauth-stepup.ts):
// the person is asked to connect again with the larger scope.
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stopAtScopeChallenge } from './oauth-stepup.js';
import { tapRelatedRequests, type RelatedRequestListener } from './sse-tap.js';
import type { OpenedTransport } from './transports.js';
import type { RemoteServerConfig } from './types.js';

/**
 * What a remote server's URL may be shown as anywhere (logs, /healthz, App Home, /mcp, errors told to
 * Claude): scheme, host and port only. Many services put the secret in the path
 * (https://host/<token>/mcp) or the query, and some in the user info; none of those leave the bot.
 */
export function urlLabel(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

/**
 * `text` (an error message, a line a library wrote) with every form of `url` that could carry its
 * secret replaced: the whole URL, it without its query, its path and query, its query, its long path
 * segments, its user info.
 */
/** Path segments at least this long are treated as secrets on their own (API keys, signed tokens). */
const TOKEN_LIKE = 16;
/** Shorter user names and passwords are left alone: replacing "me" everywhere would garble the text. */
const MIN_CREDENTIAL = 4;

export function scrubUrl(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text.split(url).join('(the url)');
  }
  const label = parsed.origin;
  // A long path segment is token-like: an error may quote it alone.
  const segments = parsed.pathname.split('/').filter((segment) => segment.length >= TOKEN_LIKE);
  const credentials = [parsed.username, parsed.password].filter((part) => part.length >= MIN_CREDENTIAL);
  const pathAndQuery = segments.length > 0 || parsed.search !== '' ? [parsed.pathname + parsed.search] : [];
  const forms: [string, string][] = [
    [url, label],
    [parsed.href, label],
    [`${parsed.origin}${parsed.pathname}`, label],
    ...[...pathAndQuery, ...(parsed.search.length > 1 ? [parsed.search] : []), ...segments, ...credentials].map((part): [string, string] => [part, '…']),
  ];
  // Longest first, so a part never leaves the rest of a longer form behind.
  forms.sort((x, y) => y[0].length - x[0].length);
  let scrubbed = text;
  for (const [form, replacement] of forms) if (form !== label) scrubbed = scrubbed.split(form).join(replacement);
  return scrubbed;
}

export function openRemote(config: RemoteServerConfig, kind: 'http' | 'sse', onRelated: RelatedRequestListener, authProvider?: OAuthClientProvider): OpenedTransport {
  const url = new URL(config.url);
  const requestInit: RequestInit = { headers: { ...config.headers } };
  const base = {
    kind,
    pid: () => undefined,
    diagnostics: () => [],
    drained: () => Promise.resolve(),
    label: urlLabel(config.url),
  };
  if (kind === 'sse') {
    return { ...base, transport: new SSEClientTransport(url, { requestInit, ...(authProvider ? { authProvider } : {}) }) };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    ...(authProvider ? { authProvider } : {}),
    fetch: tapRelatedRequests(stopAtScopeChallenge((input, init) => fetch(input, init), authProvider), onRelated),
  });
  return { ...base, transport, terminate: () => transport.terminateSession() };
}
