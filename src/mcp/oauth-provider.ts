// The MCP SDK's OAuthClientProvider for one identity (a person on a server, or a team's shared
// identity), backed by encrypted records in the bot's store (src/oauth/vault.ts). The SDK's auth()
// does the protocol (MCP authorization spec 2025-11-25: discovery by RFC 9728 and RFC 8414 / OIDC,
// PKCE S256, the `resource` parameter of RFC 8707, client identity in the spec's order, token
// endpoint authentication, refresh); this class only keeps what it hands over and hands it back.
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  OAuthClientInformationFullSchema,
  OAuthTokensSchema,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { randomBytes } from 'node:crypto';
import { isStepUp, MAX_STEP_UPS, unionOfScopes, type ScopeChallengeListener, type StepUp } from './oauth-stepup.js';
import type { OAuthEntry } from './types.js';

type RecordName = 'tokens' | 'client' | 'verifier' | 'discovery' | 'stepup';

/** One identity's records (src/oauth/vault.ts implements it; values are sealed there). */
export interface OAuthRecords {
  get(name: RecordName): Promise<unknown>;
  set(name: RecordName, value: unknown): Promise<void>;
  delete(name: RecordName): Promise<void>;
}

export interface ProviderSettings {
  entry: OAuthEntry;
  records: OAuthRecords;
  /** `$PUBLIC_URL/oauth/callback`. */
  redirectUrl: string;
  /**
   * Where the bot serves its Client ID Metadata Document (`$PUBLIC_URL/oauth/client-metadata.json`),
   * used as the client_id when the authorization server says `client_id_metadata_document_supported`
   * (spec 2025-11-25, "Client ID Metadata Documents"). The SDK accepts only an https URL with a path.
   */
  clientMetadataUrl?: string;
  clientName: string;
  /** The `state` of this sign-in (src/oauth/states.ts); absent: the flow is not one a person finishes. */
  state?: string;
  /**
   * A step-up sign-in (oauth-stepup.ts): the stored tokens are not offered to the SDK, so it sends
   * the person to the authorization page for the larger scope instead of refreshing the old one.
   */
  freshSignIn?: boolean;
}

/** The client metadata the bot registers (RFC 7591 section 2) and serves as its metadata document. */
export function botClientMetadata(settings: Pick<ProviderSettings, 'redirectUrl' | 'clientName'>, entry?: OAuthEntry): OAuthClientMetadata {
  const scope = entry?.scopes?.join(' ');
  return {
    client_name: settings.clientName,
    redirect_uris: [settings.redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // A public client (PKCE) unless the servers file gives a secret: RFC 7591 section 2.
    token_endpoint_auth_method: entry?.clientSecret ? 'client_secret_basic' : 'none',
    ...(scope ? { scope } : {}),
  };
}

/** Sign-ins of one identity that can be under way at once (each its own state and PKCE verifier). */
const MAX_SIGN_INS_UNDER_WAY = 8;

export class StoredOAuthProvider implements OAuthClientProvider, ScopeChallengeListener {
  /** Set when auth() wants a person at a browser: the sign-in URL. */
  authorizationUrl: URL | undefined;

  constructor(private readonly settings: ProviderSettings) {}

  get clientMetadataUrl(): string | undefined {
    return this.settings.clientMetadataUrl;
  }

  get redirectUrl(): string | undefined {
    // Without a redirect URL the SDK runs a non-interactive grant (client_credentials).
    return this.settings.entry.grant === 'client_credentials' ? undefined : this.settings.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const metadata = botClientMetadata(this.settings, this.settings.entry);
    if (this.settings.entry.grant !== 'client_credentials') return metadata;
    return { ...metadata, redirect_uris: [], grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' };
  }

  state(): string {
    // A flow nobody finishes (a refresh that needs a person again) still needs a value; it is never stored.
    return this.settings.state ?? randomBytes(16).toString('base64url');
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const { clientId, clientSecret } = this.settings.entry;
    // Pre-registered in the servers file: the spec's first choice.
    if (clientId) return { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const parsed = OAuthClientInformationFullSchema.partial({ redirect_uris: true }).safeParse(await this.settings.records.get('client'));
    return parsed.success ? parsed.data : undefined;
  }

  async saveClientInformation(information: OAuthClientInformationMixed): Promise<void> {
    if (this.settings.entry.clientId) return;
    await this.settings.records.set('client', information);
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    if (this.settings.freshSignIn) return undefined;
    return this.storedTokens();
  }

  private async storedTokens(): Promise<OAuthTokens | undefined> {
    const parsed = OAuthTokensSchema.safeParse(await this.settings.records.get('tokens'));
    return parsed.success ? parsed.data : undefined;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await this.settings.records.set('tokens', tokens);
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  // PKCE verifiers are kept by the sign-in's `state`, so several sign-ins of one person on one server
  // can be under way at once (a Connect button in a thread, then a fresh one on App Home): each
  // callback finishes with its own. The few most recent are kept; states live 10 minutes anyway.
  async saveCodeVerifier(verifier: string): Promise<void> {
    const kept = Object.entries(await this.verifiers()).slice(-(MAX_SIGN_INS_UNDER_WAY - 1));
    await this.settings.records.set('verifier', Object.fromEntries([...kept, [this.settings.state ?? '', verifier]]));
  }

  async codeVerifier(): Promise<string> {
    const verifier = (await this.verifiers())[this.settings.state ?? ''];
    if (verifier === undefined) throw new Error('this sign-in has expired; start it again');
    return verifier;
  }

  /** The verifiers of the sign-ins under way, by state, oldest first. */
  private async verifiers(): Promise<Record<string, string>> {
    const stored = await this.settings.records.get('verifier');
    if (typeof stored !== 'object' || stored === null) return {};
    return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const names = scope === 'all' ? (['tokens', 'client', 'verifier', 'discovery'] as const) : ([scope] as const);
    await Promise.all(names.map((name) => this.settings.records.delete(name)));
  }

  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (this.settings.entry.grant !== 'client_credentials') return undefined;
    // RFC 6749 section 4.4.2: grant_type=client_credentials, optional scope.
    return new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  }

  /** The step-up remembered for this identity, if a server asked for more scope. */
  async stepUp(): Promise<StepUp | undefined> {
    const stored = await this.settings.records.get('stepup');
    return isStepUp(stored) ? stored : undefined;
  }

  /** A scope challenge: the next sign-in asks for what was granted plus `scope`. */
  async requireScope(scope: string): Promise<void> {
    const previous = await this.stepUp();
    const granted = (await this.storedTokens())?.scope;
    const round = (previous?.round ?? 0) + 1;
    // Past the limit no prompt is due: the person is told, plainly, that the bot could not get them.
    const next: StepUp = { scope: unionOfScopes(granted, previous?.scope, scope), round, pending: round <= MAX_STEP_UPS };
    await this.settings.records.set('stepup', next);
  }

  /** The sign-in a step-up asked for is done; the round count stays (it bounds the prompts). */
  async stepUpDone(): Promise<void> {
    const previous = await this.stepUp();
    if (previous?.pending) await this.settings.records.set('stepup', { ...previous, pending: false });
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    await this.settings.records.set('discovery', state);
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    const state = await this.settings.records.get('discovery');
    return typeof state === 'object' && state !== null && typeof (state as OAuthDiscoveryState).authorizationServerUrl === 'string' ? (state as OAuthDiscoveryState) : undefined;
  }
}
