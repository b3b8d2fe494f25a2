// Client identity, token endpoint authentication, refresh and the client_credentials grant, with the
// real hub and the MCP SDK's auth() against the test authorization server (MCP authorization spec
// 2025-11-25). "Client Registration Approaches": a pre-registered client (the servers file's
// oauth.clientId / clientSecret) first; else a Client ID Metadata Document, the bot's own, served
// under PUBLIC_URL, when the server says `client_id_metadata_document_supported`; else Dynamic
// Client Registration. Token endpoint authentication by what the server lists (RFC 8414 section 2,
// token_endpoint_auth_methods_supported; RFC 6749 section 2.3.1). "Token Handling": an expired token
// refreshed unnoticed; a refused refresh makes the person connect again.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { oauthRoutes } from '../../src/oauth/routes.js';
import { createSealer } from '../../src/oauth/seal.js';
import { createStates } from '../../src/oauth/states.js';
import { openStore } from '../../src/store.js';
import { startAuthFixture, type AuthFixture, type AuthFixtureOptions, type TokenAuthMethod } from '../fixtures/oauth/auth-fixture.js';
import { connectPerson, PUBLIC_URL, startOAuthHub, whoami, withHub } from '../helpers/oauth-hub.js';

const CALLBACK = `${PUBLIC_URL}/oauth/callback`;

/** A client the authorization server knows from before (as the servers file's clientId says). */
function preRegistered(clientId: string, secret: string, extra: { redirect_uris?: string[]; grant_types?: string[] } = {}) {
  return { client_id: clientId, client_secret: secret, redirect_uris: extra.redirect_uris ?? [CALLBACK], ...(extra.grant_types ? { grant_types: extra.grant_types } : {}) };
}

async function withFixture(options: AuthFixtureOptions, run: (auth: AuthFixture) => Promise<void>): Promise<void> {
  const auth = await startAuthFixture(options);
  try {
    await run(auth);
  } finally {
    await auth.close();
  }
}

/** The bot's own pages (src/oauth/routes.ts) on a local port, as PUBLIC_URL `publicUrl` would serve them. */
async function startBotPages(publicUrl: string): Promise<{ fetchDocument: (clientId: string) => Promise<unknown>; close: () => Promise<void> }> {
  const store = await openStore('memory://');
  const sealer = createSealer(Buffer.alloc(32, 7));
  const routes = oauthRoutes(publicUrl, { states: createStates(store, sealer), finish: async () => {}, then: async () => {}, logger: silentLogger });
  const server = http.createServer((req, res) => {
    const route = routes.find((r) => r.path === new URL(req.url ?? '/', 'http://x').pathname);
    if (route) route.handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no port');
  return {
    // The authorization server fetches the client_id URL; here its host is this local server.
    fetchDocument: async (clientId) => {
      const url = new URL(clientId);
      if (url.origin !== publicUrl) return undefined;
      const response = await fetch(`http://127.0.0.1:${address.port}${url.pathname}`);
      return response.ok ? response.json() : undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('oauth client identity, in the spec\'s order', () => {
  const BOT = 'https://bot.example';
  let pages: Awaited<ReturnType<typeof startBotPages>>;
  before(async () => {
    pages = await startBotPages(BOT);
  });
  after(() => pages.close());

  it('a pre-registered client is used even where a metadata document and DCR are offered', async () => {
    await withFixture({ fetchClientMetadata: (id) => pages.fetchDocument(id), preRegistered: [preRegistered('bot-client', 's3cret', { redirect_uris: [`${BOT}/oauth/callback`] })] }, async (auth) => {
      await withHub(auth, { publicUrl: BOT, oauth: { grant: 'authorization_code', clientId: 'bot-client', clientSecret: 's3cret' } }, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        assert.deepEqual(auth.registered, []);
        assert.deepEqual(auth.metadataDocumentClients, []);
      });
    });
  });

  it('a Client ID Metadata Document under an https PUBLIC_URL when the server supports it: no registration', async () => {
    await withFixture({ fetchClientMetadata: (id) => pages.fetchDocument(id) }, async (auth) => {
      await withHub(auth, { publicUrl: BOT }, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        assert.deepEqual(auth.registered, []);
        assert.ok(auth.metadataDocumentClients.length > 0);
        assert.deepEqual([...new Set(auth.metadataDocumentClients)], [`${BOT}/oauth/client-metadata.json`]);
      });
    });
  });

  it('Dynamic Client Registration when the server offers no metadata documents', async () => {
    await withFixture({}, async (auth) => {
      await withHub(auth, {}, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        assert.equal(auth.registered.length, 1);
        assert.deepEqual(auth.registered[0]?.redirect_uris, [CALLBACK]);
      });
    });
  });

  it('Dynamic Client Registration when PUBLIC_URL is http, where a metadata document cannot be (the SDK takes https only)', async () => {
    await withFixture({ fetchClientMetadata: (id) => pages.fetchDocument(id) }, async (auth) => {
      await withHub(auth, {}, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        assert.equal(auth.registered.length, 1);
        assert.deepEqual(auth.metadataDocumentClients, []);
      });
    });
  });
});

describe('oauth token endpoint authentication: the method the server lists', () => {
  const cases: { methods: TokenAuthMethod[]; secret: boolean; expected: 'basic' | 'post' | 'none' }[] = [
    { methods: ['client_secret_basic'], secret: true, expected: 'basic' },
    { methods: ['client_secret_post'], secret: true, expected: 'post' },
    { methods: ['none'], secret: false, expected: 'none' },
  ];
  for (const { methods, secret, expected } of cases) {
    it(`${methods.join(', ')} only`, async () => {
      const options: AuthFixtureOptions = { tokenAuthMethods: methods, ...(secret ? { preRegistered: [preRegistered('confidential', 'pw')] } : {}) };
      await withFixture(options, async (auth) => {
        await withHub(auth, secret ? { oauth: { grant: 'authorization_code', clientId: 'confidential', clientSecret: 'pw' } } : {}, async (hub) => {
          await connectPerson(hub, auth, 'ann');
          assert.match(await whoami(hub, 'ann'), /you are ann/);
          auth.expireAccessTokens();
          assert.match(await whoami(hub, 'ann'), /you are ann/, 'and the refresh too');
          assert.deepEqual(auth.tokenRequests, [{ auth: expected, grant: 'authorization_code' }, { auth: expected, grant: 'refresh_token' }]);
        });
      });
    });
  }
});

describe('oauth sign-ins under way at once', () => {
  it('a Connect link sent earlier still works after a newer one was made (App Home opened meanwhile)', async () => {
    await withFixture({}, async (auth) => {
      await withHub(auth, {}, async (hub) => {
        const ann = { teamId: 'T1', userId: 'ann' };
        const inThread = await hub.signInUrl(ann, 'docs', 'state-in-thread');
        const onHome = await hub.signInUrl(ann, 'docs', 'state-on-home');
        assert.ok(inThread && onHome);
        // Ann follows the older link: it finishes with its own PKCE verifier, not the newer link's.
        const back = await auth.signIn(inThread, 'ann');
        await hub.finishSignIn(ann, 'docs', back.searchParams.get('code') ?? '', 'state-in-thread');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
      });
    });
  });
});

describe('oauth refresh', () => {
  it('an expired access token is refreshed without the person signing in again', async () => {
    await withFixture({}, async (auth) => {
      await withHub(auth, {}, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        auth.expireAccessTokens();
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        assert.deepEqual(auth.tokenRequests.map((r) => r.grant), ['authorization_code', 'refresh_token']);
        assert.equal(await hub.isConnected({ teamId: 'T1', userId: 'ann' }, 'docs'), true);
      });
    });
  });

  it('a refused refresh forgets the tokens, so the person is asked to connect again (a bot restarted meanwhile)', async () => {
    await withFixture({}, async (auth) => {
      const first = await startOAuthHub(auth);
      await connectPerson(first.hub, auth, 'ann');
      assert.match(await whoami(first.hub, 'ann'), /you are ann/);
      await first.hub.close();
      auth.expireAccessTokens();
      auth.refuseRefreshTokens();
      await withHub(auth, { store: first.store, key: first.key }, async (hub) => {
        assert.equal(await whoami(hub, 'ann'), 'not connected');
        assert.equal(await hub.isConnected({ teamId: 'T1', userId: 'ann' }, 'docs'), false);
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
      });
    });
  });

  it('a refused refresh during an open session: the call says so, and the person is asked to connect again', async () => {
    await withFixture({}, async (auth) => {
      await withHub(auth, {}, async (hub) => {
        await connectPerson(hub, auth, 'ann');
        assert.match(await whoami(hub, 'ann'), /you are ann/);
        auth.expireAccessTokens();
        auth.refuseRefreshTokens();
        const view = await hub.forPerson({ teamId: 'T1', userId: 'ann' });
        const result = await view.tools.callTool('docs__whoami', {});
        assert.equal(result.isError, true);
        assert.match(JSON.stringify(result.content), /sign-in to \\"docs\\" has expired.*offered Connect again/);
        assert.equal(await hub.isConnected({ teamId: 'T1', userId: 'ann' }, 'docs'), false);
        assert.equal(await whoami(hub, 'ann'), 'not connected');
      });
    });
  });
});

describe('oauth client_credentials: one identity for the team', () => {
  it('two people share the service identity, and an expired token is fetched again', async () => {
    const svc = preRegistered('service-client', 'svc-secret', { redirect_uris: [], grant_types: ['client_credentials'] });
    await withFixture({ tokenAuthMethods: ['client_secret_basic'], preRegistered: [svc] }, async (auth) => {
      await withHub(auth, { oauth: { grant: 'client_credentials', clientId: 'service-client', clientSecret: 'svc-secret' } }, async (hub) => {
        assert.deepEqual(hub.oauthServers(), [], 'nobody signs in');
        assert.match(await whoami(hub, 'ann'), /you are service service-client/);
        assert.match(await whoami(hub, 'bob'), /you are service service-client/);
        assert.deepEqual(auth.tokenRequests, [{ auth: 'basic', grant: 'client_credentials' }]);
        auth.expireAccessTokens();
        assert.match(await whoami(hub, 'bob'), /you are service service-client/);
        assert.deepEqual(auth.tokenRequests.map((r) => r.grant), ['client_credentials', 'client_credentials']);
      });
    });
  });
});
