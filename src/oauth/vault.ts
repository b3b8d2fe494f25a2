// Where each identity's OAuth records live: tokens, the client registration, the PKCE verifier of a
// sign-in under way and the discovery results, per team, person and server, in the bot's store
// (so every replica sees them), each value sealed with TOKEN_ENCRYPTION_KEY (seal.ts). Nothing here
// logs a value. A value that no longer opens (the key was changed) reads as absent: the person is
// asked to connect again rather than the bot failing.
import type { Store } from '../store.js';
import type { Sealer } from './seal.js';

/** Whose records: a person on a server, or (userId TEAM) the team's shared identity. */
export interface Identity {
  teamId: string;
  userId: string;
  server: string;
}

/** The shared identity of a client-credentials server: one for the whole bot. */
export const TEAM = '*';

export type RecordName = 'tokens' | 'client' | 'verifier' | 'discovery' | 'stepup';

export interface OAuthRecords {
  get(name: RecordName): Promise<unknown>;
  set(name: RecordName, value: unknown): Promise<void>;
  delete(name: RecordName): Promise<void>;
}

export interface Vault {
  recordsFor(identity: Identity): OAuthRecords;
}

/** A sign-in's verifier is needed only until its callback: kept as long as its state. */
export const VERIFIER_TTL_MS = 10 * 60 * 1000;

export function createVault(store: Store, sealer: Sealer): Vault {
  return {
    recordsFor(identity) {
      const keyOf = (name: RecordName) => `oauth:${name}:${identity.teamId}:${identity.userId}:${identity.server}`;
      return {
        async get(name) {
          const sealed: unknown = await store.get(keyOf(name));
          if (typeof sealed !== 'string') return undefined;
          try {
            return sealer.open(sealed);
          } catch {
            return undefined;
          }
        },
        async set(name, value) {
          await store.set(keyOf(name), sealer.seal(value), name === 'verifier' ? VERIFIER_TTL_MS : undefined);
        },
        async delete(name) {
          await store.delete(keyOf(name));
        },
      };
    },
  };
}
