// Step-up authorization: a server that needs more scope for a call answers 403 with
// `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` (RFC 6750 section 3.1; MCP
// authorization spec 2025-11-25, "Scope Challenge Handling" / "Step-Up Authorization Flow"). The bot
// asks for the union of the granted scopes and the challenge's (the client-side accumulation of MCP
// SEP-2350, modelcontextprotocol/python-sdk#2676) and bounds the prompts. The SDK's transport would
// refresh with the old scope, retry once and fail (modelcontextprotocol/typescript-sdk#2255); a
// person has to grant the larger scope at the
// server's sign-in page, which only Slack can bring them to. So the transport's fetch stops at the
// challenge, the provider remembers the scope for that person and server, and the next Connect prompt
// asks for it (personal.ts, src/slack/oauth/connect.ts), at most MAX_STEP_UPS times.
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Step-up prompts per person and server; a challenge after that gets a plain sentence instead. */
export const MAX_STEP_UPS = 3;

/** What is remembered per person and server (sealed in the vault like the tokens). */
export interface StepUp {
  /** The scopes to ask for: the granted ones and every one a challenge named. */
  scope: string;
  /** How many challenges were seen. */
  round: number;
  /** A Connect prompt for `scope` is due (cleared by the sign-in it leads to). */
  pending: boolean;
}

/** A provider that can remember a scope challenge (StoredOAuthProvider). */
export interface ScopeChallengeListener {
  requireScope(scope: string): Promise<void>;
}

/** The call failed on a scope challenge; the hub turns it into what the person is told. */
export class ScopeChallengeError extends Error {
  constructor(readonly scope: string) {
    super(`the server needs more permissions for this (scope "${scope}")`);
    this.name = 'ScopeChallengeError';
  }
}

/** `granted` plus every scope in `more`, space-separated, each once, in first-seen order. */
export function unionOfScopes(granted: string | undefined, ...more: (string | undefined)[]): string {
  const all = [granted, ...more].flatMap((s) => s?.split(' ') ?? []).filter((s) => s !== '');
  return [...new Set(all)].join(' ');
}

export function isStepUp(value: unknown): value is StepUp {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.scope === 'string' && typeof v.round === 'number' && typeof v.pending === 'boolean';
}

function listenerOf(provider: OAuthClientProvider | undefined): ScopeChallengeListener | undefined {
  const candidate = provider as Partial<ScopeChallengeListener> | undefined;
  return typeof candidate?.requireScope === 'function' ? (candidate as ScopeChallengeListener) : undefined;
}

/** `base`, stopping at a 403 insufficient_scope challenge when `provider` can remember it. */
export function stopAtScopeChallenge(base: FetchLike, provider: OAuthClientProvider | undefined): FetchLike {
  const listener = listenerOf(provider);
  if (!listener) return base;
  return async (input, init) => {
    const response = await base(input, init);
    if (response.status !== 403) return response;
    const { error, scope } = extractWWWAuthenticateParams(response);
    if (error !== 'insufficient_scope') return response;
    await response.body?.cancel();
    await listener.requireScope(scope ?? '');
    throw new ScopeChallengeError(scope ?? '');
  };
}
