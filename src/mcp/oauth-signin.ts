// Starting and finishing a person's sign-in with the MCP SDK's auth(), and telling whether a server
// asks for OAuth at all. MCP authorization spec 2025-11-25, "Authorization Server Discovery": a
// server that needs a token answers 401 with `WWW-Authenticate: Bearer resource_metadata="..."`,
// optionally `scope="..."` ("Scope Selection Strategy"); the SDK reads both
// (extractWWWAuthenticateParams) and falls back to the path-based and root well-known URLs.
import { auth, discoverOAuthServerInfo, extractWWWAuthenticateParams, selectClientAuthMethod } from '@modelcontextprotocol/sdk/client/auth.js';
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

export type Revocation = 'revoked' | 'unsupported' | 'failed';

/**
 * Revokes the provider's tokens at the authorization server (RFC 7009): the refresh token first (a
 * server may then drop its access tokens too, section 2.1), then the access token. 'unsupported' when
 * the server's metadata has no `revocation_endpoint` or there is nothing to revoke. Written by hand:
 * the MCP SDK (1.32) has no client helper for revocation, only selectClientAuthMethod, used here so
 * the client authenticates as it does at the token endpoint.
 */
export async function revokeTokens(serverUrl: string, provider: StoredOAuthProvider): Promise<Revocation> {
  const [tokens, client] = await Promise.all([provider.tokens(), provider.clientInformation()]);
  if (!tokens || !client) return 'unsupported';
  try {
    const metadata = (await provider.discoveryState())?.authorizationServerMetadata ?? (await discoverOAuthServerInfo(serverUrl)).authorizationServerMetadata;
    // OpenID Connect's metadata type has no revocation fields; a server may still give them.
    if (!metadata || !('revocation_endpoint' in metadata) || !metadata.revocation_endpoint) return 'unsupported';
    const endpoint = metadata.revocation_endpoint;
    // RFC 8414 section 2: revocation_endpoint_auth_methods_supported, else the token endpoint's.
    const method = selectClientAuthMethod(client, metadata.revocation_endpoint_auth_methods_supported ?? metadata.token_endpoint_auth_methods_supported ?? []);
    const revoke = async (token: string, hint: 'refresh_token' | 'access_token') => {
      const body = new URLSearchParams({ token, token_type_hint: hint });
      const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
      if (method === 'client_secret_basic' && client.client_secret) {
        // RFC 6749 section 2.3.1: both parts form-encoded before base64.
        headers.set('authorization', `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`);
      } else {
        body.set('client_id', client.client_id);
        if (method === 'client_secret_post' && client.client_secret) body.set('client_secret', client.client_secret);
      }
      const response = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      // RFC 7009 section 2.2: 200 also for a token that was already invalid.
      if (!response.ok) throw new Error(`the revocation endpoint answered ${response.status}`);
    };
    if (tokens.refresh_token) await revoke(tokens.refresh_token, 'refresh_token');
    await revoke(tokens.access_token, 'access_token');
    return 'revoked';
  } catch {
    return 'failed';
  }
}
