// Per-person sessions to OAuth servers: one connection per person and server, opened on demand with
// that person's tokens (each person is their own identity on the server), kept while it is used and
// closed after `idleMs` without use. A person without tokens, or whose tokens no longer work (a
// refresh the authorization server refused), has no connection: they are asked to connect.
import type { Logger } from '../log.js';
import type { ServerConnection } from './connection.js';
import { StoredOAuthProvider, type OAuthRecords } from './oauth-provider.js';
import { finishSignIn, revokeTokens, startSignIn, type Revocation } from './oauth-signin.js';
import type { StepUp } from './oauth-stepup.js';
import type { OAuthEntry, RemoteServerConfig } from './types.js';

export interface Person {
  teamId: string;
  userId: string;
}

/** What the hub needs for OAuth (McpHubOptions.oauth); without it, OAuth servers are not offered. */
export interface OAuthHubSettings {
  /** The records of one identity (src/oauth/vault.ts); teamId and userId '*' for a team identity. */
  records(identity: { teamId: string; userId: string; server: string }): OAuthRecords;
  /** `$PUBLIC_URL/oauth/callback`. */
  redirectUrl: string;
  /** `$PUBLIC_URL/oauth/client-metadata.json` when PUBLIC_URL is https (the SDK takes no other). */
  clientMetadataUrl?: string;
  clientName: string;
  /** A person's session unused this long is closed. Default 5 minutes. */
  idleMs?: number;
}

export const PERSONAL_GRANT: OAuthEntry = { grant: 'authorization_code' };
const DEFAULT_IDLE_MS = 5 * 60 * 1000;

interface Open {
  connection: Promise<ServerConnection | undefined>;
  busy: number;
  timer: NodeJS.Timeout | undefined;
}

export class PersonalConnections {
  private readonly open = new Map<string, Open>();
  private closed = false;

  constructor(
    private readonly settings: OAuthHubSettings,
    private readonly connect: (config: RemoteServerConfig, provider: StoredOAuthProvider) => ServerConnection,
    private readonly log: Logger,
  ) {}

  provider(person: Person, config: RemoteServerConfig, state?: string, freshSignIn = false): StoredOAuthProvider {
    return new StoredOAuthProvider({
      entry: config.oauth ?? PERSONAL_GRANT,
      records: this.settings.records({ ...person, server: config.name }),
      redirectUrl: this.settings.redirectUrl,
      clientName: this.settings.clientName,
      ...(this.settings.clientMetadataUrl ? { clientMetadataUrl: this.settings.clientMetadataUrl } : {}),
      ...(state === undefined ? {} : { state }),
      ...(freshSignIn ? { freshSignIn } : {}),
    });
  }

  async isConnected(person: Person, config: RemoteServerConfig): Promise<boolean> {
    return (await this.provider(person, config).tokens()) !== undefined;
  }

  /** The step-up remembered for the person on the server (oauth-stepup.ts), if any. */
  stepUp(person: Person, config: RemoteServerConfig): Promise<StepUp | undefined> {
    return this.provider(person, config).stepUp();
  }

  async signInUrl(person: Person, config: RemoteServerConfig, state: string): Promise<string | undefined> {
    const stepUp = await this.stepUp(person, config);
    // A step-up asks for the larger scope at the authorization page, past the tokens the person has.
    if (stepUp?.pending) return startSignIn(config.url, this.provider(person, config, state, true), { scope: stepUp.scope });
    return startSignIn(config.url, this.provider(person, config, state));
  }

  async finishSignIn(person: Person, config: RemoteServerConfig, code: string, state: string): Promise<void> {
    const provider = this.provider(person, config, state);
    await finishSignIn(config.url, provider, code);
    await provider.stepUpDone();
    // A session opened with older tokens (or none) is replaced by one with the new ones.
    await this.drop(person, config);
  }

  /**
   * Revokes the person's tokens where the server supports it (RFC 7009), then forgets them and closes
   * their session. The tokens are forgotten also when revocation failed: the person asked to be
   * disconnected, and the bot no longer acts as them.
   */
  async disconnect(person: Person, config: RemoteServerConfig): Promise<Revocation> {
    const provider = this.provider(person, config);
    const revoked = await revokeTokens(config.url, provider);
    if (revoked === 'failed') this.log.warn('oauth tokens could not be revoked; they are forgotten all the same', { server: config.name });
    await this.drop(person, config);
    await provider.invalidateCredentials('tokens');
    return revoked;
  }

  /** The person's live connection, opened if they are connected; undefined when they are not. */
  async connection(person: Person, config: RemoteServerConfig): Promise<ServerConnection | undefined> {
    if (this.closed) return undefined;
    const key = keyOf(person, config.name);
    // Tokens forgotten while the session was open (a refresh the authorization server refused, spec
    // 2025-11-25 "Token Handling"): the session goes, so the person is asked to connect again.
    if (this.open.has(key) && !(await this.isConnected(person, config))) await this.drop(person, config);
    let entry = this.open.get(key);
    if (!entry) {
      const opened: Open = { connection: this.start(person, config), busy: 0, timer: undefined };
      this.open.set(key, opened);
      entry = opened;
      void opened.connection.then((connection) => {
        if (!connection && this.open.get(key) === opened) this.open.delete(key);
      });
    }
    this.idle(key, entry);
    return entry.connection;
  }

  /** Runs `call` on the person's connection; the idle clock waits while it runs. */
  async use<T>(person: Person, server: string, call: () => Promise<T>): Promise<T> {
    const key = keyOf(person, server);
    const entry = this.open.get(key);
    if (entry) {
      entry.busy++;
      if (entry.timer) clearTimeout(entry.timer);
    }
    try {
      return await call();
    } finally {
      if (entry) {
        entry.busy--;
        this.idle(key, entry);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.open.values()];
    this.open.clear();
    await Promise.all(entries.map(async (entry) => {
      if (entry.timer) clearTimeout(entry.timer);
      await (await entry.connection)?.close();
    }));
  }

  private async start(person: Person, config: RemoteServerConfig): Promise<ServerConnection | undefined> {
    const provider = this.provider(person, config);
    if (!(await provider.tokens())) return undefined;
    const connection = this.connect(config, provider);
    await connection.start();
    if (connection.status().state === 'up') return connection;
    await connection.close();
    // The tokens no longer work and the SDK wanted a person at a browser: forget them, so the person
    // is asked to connect again (once per question, like a first sign-in).
    if (provider.authorizationUrl) {
      this.log.info('oauth tokens no longer accepted; the person is asked to connect again', { server: config.name });
      await provider.invalidateCredentials('tokens');
    } else {
      this.log.warn('a person\'s session to an oauth server did not open', { server: config.name, error: connection.status().lastError });
    }
    return undefined;
  }

  private idle(key: string, entry: Open): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.busy > 0 || this.closed) return;
    entry.timer = setTimeout(() => {
      if (this.open.get(key) !== entry || entry.busy > 0) return;
      this.open.delete(key);
      void entry.connection.then((connection) => connection?.close());
    }, this.settings.idleMs ?? DEFAULT_IDLE_MS);
    entry.timer.unref();
  }

  private async drop(person: Person, config: RemoteServerConfig): Promise<void> {
    const key = keyOf(person, config.name);
    const entry = this.open.get(key);
    if (!entry) return;
    this.open.delete(key);
    if (entry.timer) clearTimeout(entry.timer);
    await (await entry.connection)?.close();
  }
}

function keyOf(person: Person, server: string): string {
  return `${person.teamId}\u0000${person.userId}\u0000${server}`;
}
