// What the MCP hub needs to sign people in (McpHubOptions.oauth), from PUBLIC_URL and the key: where
// the callback and the Client ID Metadata Document are, and each identity's sealed records.
import type { OAuthHubSettings } from '../mcp/index.js';
import type { Store } from '../store.js';
import { createSealer } from './seal.js';
import { createVault, type OAuthRecords } from './vault.js';

/** The callback the authorization server sends the browser back to (the contract: GET $PUBLIC_URL/oauth/callback). */
export const CALLBACK_PATH = '/oauth/callback';
/** The bot's Client ID Metadata Document (MCP authorization spec 2025-11-25, "Client ID Metadata Documents"). */
export const CLIENT_METADATA_PATH = '/oauth/client-metadata.json';
export const CLIENT_NAME = 'Slack MCP bot';

/** The store may still be opening when the hub starts: records wait for it on first use. */
export function hubOAuthSettings(publicUrl: string, key: Buffer, store: Promise<Store>, idleMs?: number): OAuthHubSettings {
  const sealer = createSealer(key);
  const vault = store.then((opened) => createVault(opened, sealer));
  // Unobserved rejections aside: a store that fails to open fails the start on its own.
  vault.catch(() => undefined);
  return {
    records(identity): OAuthRecords {
      const records = vault.then((v) => v.recordsFor(identity));
      return {
        get: async (name) => (await records).get(name),
        set: async (name, value) => (await records).set(name, value),
        delete: async (name) => (await records).delete(name),
      };
    },
    redirectUrl: `${publicUrl}${CALLBACK_PATH}`,
    // The SDK uses a metadata document URL only over https (and the authorization server fetches it).
    ...(publicUrl.startsWith('https://') ? { clientMetadataUrl: `${publicUrl}${CLIENT_METADATA_PATH}` } : {}),
    clientName: CLIENT_NAME,
    ...(idleMs === undefined ? {} : { idleMs }),
  };
}
