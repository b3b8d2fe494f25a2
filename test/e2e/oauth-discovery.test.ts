// Each discovery path of the MCP authorization spec (2025-11-25), with the real hub and the MCP
// SDK's auth() against the test authorization server, which puts its metadata in one place at a
// time. "Protected Resource Metadata Discovery Requirements": the URL in the 401's
// `resource_metadata`, else the path-based and then the root well-known URL (RFC 9728 section 3.1).
// "Authorization Server Metadata Discovery": RFC 8414's and OpenID Connect Discovery's well-known
// URLs, for an issuer with a path too. And a 2025-03-26 server: no resource metadata, the
// authorization server at the server's origin, with or without metadata (then /authorize, /token,
// /register). A remote entry without `oauth` is taken as an OAuth server from its 401.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAuthFixture, type AuthFixtureOptions } from '../fixtures/oauth/auth-fixture.js';
import { connectPerson, whoami, withHub } from '../helpers/oauth-hub.js';

interface Variant {
  name: string;
  options: AuthFixtureOptions;
  /** The metadata paths the bot must have read, in order. */
  read: string[];
}

const variants: Variant[] = [
  {
    name: 'resource metadata at the URL the 401 names (not a well-known one)',
    options: { resourceMetadata: 'elsewhere' },
    read: ['/resource-metadata/mcp.json', '/.well-known/oauth-authorization-server'],
  },
  {
    name: 'resource metadata at the path-based well-known URL',
    options: { resourceMetadata: 'path' },
    read: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server'],
  },
  {
    name: 'resource metadata at the root well-known URL only',
    options: { resourceMetadata: 'root' },
    read: ['/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server'],
  },
  {
    name: 'OpenID Connect metadata only',
    options: { serverMetadata: 'openid' },
    read: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/openid-configuration'],
  },
  {
    name: 'an issuer with a path, RFC 8414 metadata',
    options: { issuerPath: '/tenant' },
    read: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server/tenant'],
  },
  {
    name: 'an issuer with a path, OpenID Connect metadata after the path',
    options: { issuerPath: '/tenant', serverMetadata: 'openid' },
    read: ['/.well-known/oauth-protected-resource/mcp', '/tenant/.well-known/openid-configuration'],
  },
  {
    name: '2025-03-26 server: no resource metadata, authorization server metadata at its origin',
    options: { resourceMetadata: 'none' },
    read: ['/.well-known/oauth-authorization-server'],
  },
  {
    name: '2025-03-26 server: no metadata at all, the default endpoints',
    options: { resourceMetadata: 'none', serverMetadata: 'none' },
    read: [],
  },
];

describe('oauth discovery: every place a server may put its metadata', () => {
  for (const variant of variants) {
    it(variant.name, async () => {
      const auth = await startAuthFixture(variant.options);
      try {
        await withHub(auth, {}, async (hub) => {
          assert.deepEqual(hub.oauthServers(), ['docs'], 'the 401 makes docs an OAuth server');
          assert.equal(await whoami(hub, 'ann'), 'not connected');
          await connectPerson(hub, auth, 'ann');
          assert.match(await whoami(hub, 'ann'), /you are ann/);
          // The documents in the order first read (the callback may read them again).
          assert.deepEqual([...new Set(auth.metadataServed)], variant.read);
          assert.equal(auth.registered.length, 1, 'registered by DCR at the discovered endpoint');
        });
      } finally {
        await auth.close();
      }
    });
  }
});
