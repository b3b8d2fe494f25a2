// Servers reached by URL: Streamable HTTP (the current transport) or HTTP+SSE (the one before it, still
// run by many servers). The entry's headers go with every request, including the SSE stream's GET.
//
// Authentication is static headers only. The SDK's OAuthClientProvider could run the OAuth flow, but
// finishing it needs a person to sign in at a browser and a redirect back to a URL the bot serves, and
// the tokens would then have to be stored, refreshed and kept per team: not something a server entry
// can set up. Servers that need OAuth work when given a token in a header (most issue personal or
// service tokens); the others are reported with a 401 message that says so (see start-errors.ts).
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { tapRelatedRequests, type RelatedRequestListener } from './sse-tap.js';
import type { OpenedTransport } from './transports.js';
import type { RemoteServerConfig } from './types.js';

/** What a URL may be logged as: no credentials, no query (tokens often travel there). */
export function urlLabel(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export function openRemote(config: RemoteServerConfig, kind: 'http' | 'sse', onRelated: RelatedRequestListener): OpenedTransport {
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
    return { ...base, transport: new SSEClientTransport(url, { requestInit }) };
  }
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit,
    fetch: tapRelatedRequests((input, init) => fetch(input, init), onRelated),
  });
  return { ...base, transport, terminate: () => transport.terminateSession() };
}
