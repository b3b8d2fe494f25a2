// The OAuth protocol tests' bot side, at module level: the real MCP hub (src/mcp/hub.ts) with the
// bot's own OAuth settings (src/oauth/settings.ts: sealed records in a memory store), connected to
// the test authorization server (test/fixtures/oauth/auth-fixture.ts) through the MCP SDK's auth().
// A person's browser is simulated: the fixture's signIn() opens the sign-in URL and returns the
// redirect to the callback, whose code the hub exchanges as the callback page would.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/log.js';
import { McpHub, type OAuthEntry } from '../../src/mcp/index.js';
import { hubOAuthSettings } from '../../src/oauth/settings.js';
import { openStore, type Store } from '../../src/store.js';
import type { AuthFixture } from '../fixtures/oauth/auth-fixture.js';

/** PUBLIC_URL of the bot under test: nothing listens there, the tests read the redirect themselves. */
export const PUBLIC_URL = 'http://127.0.0.1:9';

export interface HubOptions {
  publicUrl?: string;
  oauth?: OAuthEntry;
  /** Shared with another hub: a second replica, or the bot after a restart. */
  store?: Promise<Store>;
  key?: Buffer;
}

export interface OAuthHub {
  hub: McpHub;
  store: Promise<Store>;
  key: Buffer;
}

/** A hub with one server, "docs", the fixture's MCP server. */
export async function startOAuthHub(auth: AuthFixture, options: HubOptions = {}): Promise<OAuthHub> {
  const store = options.store ?? openStore('memory://');
  const key = options.key ?? randomBytes(32);
  const docs = { kind: 'remote' as const, name: 'docs', url: auth.mcpUrl, headers: {}, ...(options.oauth ? { oauth: options.oauth } : {}) };
  const hub = await McpHub.start([docs], { logger: silentLogger, oauth: hubOAuthSettings(options.publicUrl ?? PUBLIC_URL, key, store) });
  return { hub, store, key };
}

export const person = (userId: string) => ({ teamId: 'T1', userId });

/** `user` connects "docs": the sign-in URL, the authorization page, the callback's code exchanged. */
export async function connectPerson(hub: McpHub, auth: AuthFixture, user: string): Promise<void> {
  const state = `state-of-${user}`;
  const url = await hub.signInUrl(person(user), 'docs', state);
  assert.ok(url, 'a sign-in URL');
  const back = await auth.signIn(url, user);
  assert.equal(back.searchParams.get('state'), state, 'the state comes back with the code');
  await hub.finishSignIn(person(user), 'docs', back.searchParams.get('code') ?? '', state);
}

/** What docs' whoami tool says to `user` (the text of the result), or that docs is not connected. */
export async function whoami(hub: McpHub, user: string): Promise<string> {
  const view = await hub.forPerson(person(user));
  if (view.unconnected.includes('docs')) return 'not connected';
  const result = await view.tools.callTool('docs__whoami', {});
  return JSON.stringify(result.content);
}

/** Runs `run` with a hub started by startOAuthHub, closed afterwards whatever happens. */
export async function withHub(auth: AuthFixture, options: HubOptions, run: (hub: McpHub) => Promise<void>): Promise<void> {
  const { hub } = await startOAuthHub(auth, options);
  try {
    await run(hub);
  } finally {
    await hub.close();
  }
}
