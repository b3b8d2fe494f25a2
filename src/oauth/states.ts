// The OAuth `state` of a sign-in: a random value bound to the team, person and server it was made
// for (and to the question that waits for it), single use and short-lived, kept in the store so the
// callback may reach any replica. The MCP authorization spec (2025-11-25, "Authorization Code
// Protection") requires PKCE; the state additionally stops a forged or replayed callback from
// attaching someone else's sign-in to a person (RFC 6749 section 10.12, CSRF).
import { randomBytes } from 'node:crypto';
import type { Store } from '../store.js';
import type { Sealer } from './seal.js';

export const STATE_TTL_MS = 10 * 60 * 1000;

export interface StateBinding {
  teamId: string;
  userId: string;
  server: string;
  /** What to do once connected (the parked question), opaque here. */
  then?: unknown;
}

export interface SignInStates {
  create(binding: StateBinding): Promise<string>;
  /** The binding, once: a second take of the same state, an expired or an unknown one gives undefined. */
  take(state: string): Promise<StateBinding | undefined>;
}

export function createStates(store: Store, sealer: Sealer, ttlMs = STATE_TTL_MS): SignInStates {
  const keyOf = (state: string) => `oauth:state:${state}`;
  return {
    async create(binding) {
      const state = randomBytes(32).toString('base64url');
      await store.set(keyOf(state), sealer.seal(binding), ttlMs);
      return state;
    },
    async take(state) {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(state)) return undefined;
      const sealed: unknown = await store.get(keyOf(state));
      // Only the caller whose delete removed it may use it: two replicas given the same callback
      // (a reload, a replay) cannot both finish it.
      if (typeof sealed !== 'string' || !(await store.delete(keyOf(state)))) return undefined;
      try {
        return sealer.open(sealed) as StateBinding;
      } catch {
        return undefined;
      }
    },
  };
}
