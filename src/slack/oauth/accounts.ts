// A person's accounts on the OAuth servers, for App Home and /mcp: for each server they may use,
// whether they are connected, with a fresh sign-in URL when they are not (a state of its own, with
// nothing waiting for it: the callback page is all that follows), and Disconnect.
import type { Logger } from '../../log.js';
import type { Person, Revocation } from '../../mcp/index.js';
import type { SignInStates } from '../../oauth/states.js';

export interface Account {
  server: string;
  connected: boolean;
  /** The sign-in URL when not connected; absent when the sign-in could not be started just now. */
  connectUrl?: string;
}

export interface AccountsHub {
  oauthServers(): string[];
  isConnected(person: Person, server: string): Promise<boolean>;
  signInUrl(person: Person, server: string, state: string): Promise<string | undefined>;
  disconnect(person: Person, server: string): Promise<Revocation>;
}

export interface Accounts {
  list(person: Person, allowed: (server: string) => boolean): Promise<Account[]>;
  /** Undefined when `server` is not one people sign in to. */
  disconnect(person: Person, server: string): Promise<Revocation | undefined>;
}

export function createAccounts(deps: { hub: AccountsHub; states: SignInStates; logger: Logger }): Accounts {
  const accountOf = async (person: Person, server: string): Promise<Account> => {
    if (await deps.hub.isConnected(person, server)) return { server, connected: true };
    try {
      const state = await deps.states.create({ ...person, server });
      const url = await deps.hub.signInUrl(person, server, state);
      // No URL: the stored credentials were enough after all (a refresh worked).
      return url === undefined ? { server, connected: true } : { server, connected: false, connectUrl: url };
    } catch (error) {
      deps.logger.warn('could not start an oauth sign-in for the overview', { server, error: error instanceof Error ? error.message : String(error) });
      return { server, connected: false };
    }
  };
  return {
    list: (person, allowed) => Promise.all(deps.hub.oauthServers().filter(allowed).map((server) => accountOf(person, server))),
    async disconnect(person, server) {
      if (!deps.hub.oauthServers().includes(server)) return undefined;
      const revoked = await deps.hub.disconnect(person, server);
      deps.logger.info('oauth disconnected', { server, user: person.userId, revoked });
      return revoked;
    },
  };
}
