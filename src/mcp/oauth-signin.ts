// Starting and finishing a person's sign-in with the MCP SDK's auth(), and telling whether a server
// asks for OAuth at all. MCP authorization spec 2025-11-25, "Authorization Server Discovery": a
// server that needs a token answers 401 with `WWW-Authenticate: Bearer resource_metadata="..."`,
// optionally `scope="..."` ("Scope Selection Strategy"); the SDK reads both
// (extractWWWAuthenticateParams) and falls back to the path-based and root well-known URLs.
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { StoredOAuthProvider } from './oauth-provider.js';

export interface Challenge {
  resourceMetadataUrl?: URL;
  scope?: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * What the server says to a request without a token: the parameters of its Bearer challenge when it
 * answers 401 with WWW-Authenticate, undefined when it does not ask for OAuth (or cannot be reached).
 */
export async function challengeOf(url: string): Promise<Challenge | undefined> {
  // An initialize request, as the first request of a session would be (spec 2025-11-25, "Lifecycle").
  const body = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'oauth-probe', version: '0' } } };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status !== 401 || !response.headers.has('www-authenticate')) return undefined;
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The URL a person opens to sign in (the provider carries the state); undefined when the stored
 * credentials were enough after all (a refresh worked).
 */
export async function startSignIn(serverUrl: string, provider: StoredOAuthProvider, asked?: Challenge): Promise<string | undefined> {
  const challenge = asked ?? (await challengeOf(serverUrl)) ?? {};
  const result = await auth(provider, { serverUrl, ...challenge });
  return result === 'REDIRECT' ? provider.authorizationUrl?.href : undefined;
}

/** Exchanges the callback's code for tokens (PKCE verifier and discovery from the provider's records). */
export async function finishSignIn(serverUrl: string, provider: StoredOAuthProvider, code: string): Promise<void> {
  const result = await auth(provider, { serverUrl, authorizationCode: code });
  if (result !== 'AUTHORIZED') throw new Error('the authorization server did not issue a token');
}
