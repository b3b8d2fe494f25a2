// The hub: every configured server behind one namespaced tool catalog. The agent loop sees it as a
// ToolProvider; /healthz and the App Home read status(); the Slack front lists prompts and resources
// and answers the servers' questions through the hooks in McpHubOptions. Servers are supervised one by
// one (ServerConnection), so a server that cannot start or keeps crashing never takes the others down.
//
// Questions from servers (elicitation, sampling) reach the hooks with the context of the tool call
// they belong to, i.e. ToolCallOptions.context of that call. Over Streamable HTTP that link is exact,
// even with many calls in flight; over stdio and SSE the protocol does not carry it, so a question gets
// the context of the only call running on that server, or undefined when several are (call-tracker.ts).
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { describeCallError } from './call-errors.js';
import { buildCatalog, type Catalog } from './catalog.js';
import type { ClientFeatures } from './client-features.js';
import { ServerConnection } from './connection.js';
import { convertToolResult, errorResult } from './convert.js';
import { withDefaults, type RestartPolicy } from './restart-policy.js';
import * as content from './server-content.js';
import type { ServerFilter } from './server-content.js';
import { openSession, type OpenSession } from './session.js';
import type { StoredOAuthProvider } from './oauth-provider.js';
import { challengeOf, type Revocation } from './oauth-signin.js';
import { MAX_STEP_UPS, type StepUp } from './oauth-stepup.js';
import { PERSONAL_GRANT, PersonalConnections, type OAuthHubSettings, type Person } from './personal.js';
import type {
  CallContext,
  ElicitationHandler,
  HookExtras,
  PromptInfo,
  PromptResult,
  RemoteServerConfig,
  ResourceContent,
  ResourceInfo,
  ResourceTemplateInfo,
  Root,
  SamplingHandler,
  ServerConfig,
  ServerStatus,
  ToolCallOptions,
  ToolCallResult,
  ToolDefinition,
  ToolProvider,
} from './types.js';
import { explainUrlElicitations, requiredUrlElicitations } from './url-elicitation.js';
import { observeToolCall } from '../observe/genai.js';
import { noTelemetry, type Telemetry } from '../observe/telemetry.js';

export interface McpHubOptions {
  logger: Logger;
  /** Default per-call timeout; progress notifications reset it, pending questions pause it. Default 60 s. */
  callTimeoutMs?: number;
  /** Limit for starting a server and listing its tools. Default 30 s. */
  connectTimeoutMs?: number;
  restart?: RestartPolicy;
  /** How long a call to a server that is down waits for it to come back. Default 10 s. */
  restartWaitMs?: number;
  clientInfo?: { name: string; version: string };
  /** Replaces the real MCP session (tests supervise fakes with it). */
  openSession?: OpenSession;
  /**
   * Directories servers may work in, offered as MCP roots (file:// URIs). A server entry's own "roots"
   * replace these for that server. Without either, the roots capability is not declared.
   */
  roots?: Root[];
  /**
   * Asks a person for input (form mode) or to open a page (URL mode) on a server's behalf. Without it,
   * the elicitation capability is not declared and servers do not ask.
   */
  onElicitation?: ElicitationHandler;
  /** Answers a server's request for an LLM completion. Without it, sampling is not declared. */
  onSampling?: SamplingHandler;
  /** Each tool call's span and metrics, and elicitation outcomes (src/observe/); default none. */
  telemetry?: Telemetry;
  /**
   * OAuth sign-in (TOKEN_ENCRYPTION_KEY set). Servers with `oauth` (and, with this, remote servers
   * without an Authorization header that answer 401 with WWW-Authenticate) get one session per person
   * (personal.ts), or with the client_credentials grant one shared session with the team's identity.
   * Without it, such servers are connected like any other (and fail with the server's 401).
   */
  oauth?: OAuthHubSettings;
}

/** The tools of one person's turn: the shared servers' plus those of the OAuth servers they connected. */
export interface PersonalView {
  tools: ToolProvider;
  /**
   * OAuth servers the person has not connected (their tools are not in `tools`), and those that asked
   * for more scope (a step-up, in `stepUps` too: their tools are in `tools`, with the old scope).
   */
  unconnected: string[];
  /** Servers whose Connect prompt is a step-up, with its round (1 to MAX_STEP_UPS). */
  stepUps: Record<string, number>;
}

export type CatalogListener = (tools: ToolDefinition[]) => void;

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_RESTART_WAIT_MS = 10_000;
const DEFAULT_CLIENT_INFO = { name: 'slack-mcp-claude-bot', version: '0.1.0' };

export class McpHub implements ToolProvider {
  private readonly connections = new Map<string, ServerConnection>();
  /** OAuth servers with a session per person. */
  private readonly personalConfigs = new Map<string, RemoteServerConfig>();
  private readonly personal: PersonalConnections | undefined;
  private readonly listeners = new Set<CatalogListener>();
  private catalog: Catalog = { tools: [], index: new Map(), clashes: [], refused: [] };
  private catalogKey = '';
  private readonly callTimeoutMs: number;
  private readonly log: Logger;
  private readonly onElicitation: ElicitationHandler | undefined;
  private readonly telemetry: Telemetry;
  private started = false;
  private closed = false;

  private constructor(servers: ServerConfig[], options: McpHubOptions) {
    this.log = options.logger;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.telemetry = options.telemetry ?? noTelemetry;
    const onElicitation = options.onElicitation && logged('elicitation', options.onElicitation, this.log, (outcome) => this.telemetry.elicitation(outcome));
    const onSampling = options.onSampling && logged('sampling', options.onSampling, this.log);
    this.onElicitation = onElicitation;
    const connectionFor = (config: ServerConfig, onChange: () => void, authProvider?: StoredOAuthProvider) => {
      const roots = config.roots ?? options.roots;
      const features: ClientFeatures = {
        ...(roots ? { roots } : {}),
        ...(onElicitation ? { onElicitation } : {}),
        ...(onSampling ? { onSampling } : {}),
      };
      return new ServerConnection(config, {
        logger: options.logger,
        openSession: options.openSession ?? openSession,
        session: {
          connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
          clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
          features,
          ...(authProvider ? { authProvider } : {}),
        },
        restart: withDefaults(options.restart),
        restartWaitMs: options.restartWaitMs ?? DEFAULT_RESTART_WAIT_MS,
        onChange,
      });
    };
    const oauth = options.oauth;
    this.personal = oauth && new PersonalConnections(oauth, (config, provider) => connectionFor(config, () => undefined, provider), this.log.child({ room: 'oauth' }));
    for (const config of servers) {
      if (config.kind === 'remote' && config.oauth && this.personal && oauth) {
        if (config.oauth.grant === 'authorization_code') {
          this.personalConfigs.set(config.name, config);
          continue;
        }
        // client_credentials: one identity for the team, kept like a person's.
        const team = this.personal.provider({ teamId: TEAM_IDENTITY, userId: TEAM_IDENTITY }, config);
        this.connections.set(config.name, connectionFor(config, () => this.rebuild(), team));
        continue;
      }
      this.connections.set(config.name, connectionFor(config, () => this.rebuild()));
    }
  }

  /**
   * Starts every server in parallel. Resolves once each is up, has failed, or (remote) is being retried.
   * When `signal` is aborted meanwhile (the bot is stopped during start-up), every server started or
   * starting is closed and this rejects with the signal's reason.
   */
  static async start(servers: ServerConfig[], options: McpHubOptions, signal?: AbortSignal): Promise<McpHub> {
    const names = servers.map((s) => s.name);
    const duplicates = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
    if (duplicates.length > 0) {
      throw new ConfigError(duplicates.map((name) => `server "${name}" is configured twice; give each server its own name`));
    }
    const hub = new McpHub(options.oauth ? await detectOAuth(servers, options.logger) : servers, options);
    let closing: Promise<void> | undefined;
    const stop = () => void (closing = hub.close());
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await Promise.all([...hub.connections.values()].map((c) => c.start()));
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    if (signal?.aborted) {
      await (closing ?? hub.close());
      signal.throwIfAborted();
    }
    hub.started = true;
    hub.rebuild();
    const up = hub.status().filter((s) => s.state === 'up').length;
    hub.log.info('mcp hub started', { servers: servers.length, up, tools: hub.catalog.tools.length });
    return hub;
  }

  listTools(): ToolDefinition[] {
    return [...this.catalog.tools];
  }

  async callTool(name: string, args: Record<string, unknown>, options: ToolCallOptions = {}): Promise<ToolCallResult> {
    return this.callIn(this.catalog, (server) => this.connections.get(server), name, args, options);
  }

  /** Names of the servers each person signs in to. */
  oauthServers(): string[] {
    return [...this.personalConfigs.keys()];
  }

  /**
   * The tools of `person`'s turn: the shared catalog plus the OAuth servers they connected (their
   * sessions opened now if they are not open), and the OAuth servers they have not connected.
   */
  async forPerson(person: Person): Promise<PersonalView> {
    const personal = this.personal;
    const configs = [...this.personalConfigs.values()];
    if (!personal || configs.length === 0 || this.closed) return { tools: this, unconnected: [], stepUps: {} };
    const opened = await Promise.all(configs.map(async (config) => ({ config, connection: await personal.connection(person, config), stepUp: await personal.stepUp(person, config) })));
    const mine = new Map(opened.flatMap(({ config, connection }) => (connection ? [[config.name, connection] as const] : [])));
    const catalog = buildCatalog([
      ...[...this.connections.values()].map((c) => ({ server: c.name, tools: c.listTools(), available: c.available })),
      ...[...mine.values()].map((c) => ({ server: c.name, tools: c.listTools(), available: c.available })),
    ]);
    const lookup = (server: string) => this.connections.get(server) ?? mine.get(server);
    return {
      tools: {
        listTools: () => [...catalog.tools],
        callTool: async (name, args, options = {}) => {
          const server = catalog.index.get(name)?.server;
          const call = () => this.callIn(catalog, lookup, name, args, options);
          const config = server === undefined || !mine.has(server) ? undefined : this.personalConfigs.get(server);
          if (!config) return call();
          const roundBefore = (await personal.stepUp(person, config))?.round ?? 0;
          const result = await personal.use(person, config.name, call);
          // A refresh the authorization server refused during the call forgot the tokens (personal.ts):
          // say that, rather than the transport's error, which reads as a crash.
          if (result.isError && !(await personal.isConnected(person, config))) return errorResult(signedOut(config.name));
          // A scope challenge during the call (oauth-stepup.ts) counted a round: say what to do about it.
          const stepUp = result.isError ? await personal.stepUp(person, config) : undefined;
          if (stepUp && stepUp.round > roundBefore) return errorResult(stepUpText(config.name, stepUp));
          return result;
        },
      },
      unconnected: opened.filter((o) => !o.connection || o.stepUp?.pending).map((o) => o.config.name),
      stepUps: Object.fromEntries(opened.flatMap((o) => (o.connection && o.stepUp?.pending ? [[o.config.name, o.stepUp.round]] : []))),
    };
  }

  /** Whether `person` has tokens for the OAuth server `server`. */
  async isConnected(person: Person, server: string): Promise<boolean> {
    const config = this.personalConfigs.get(server);
    return config !== undefined && this.personal !== undefined && this.personal.isConnected(person, config);
  }

  /** The sign-in URL for `person` on `server`, bound to `state`; undefined when no sign-in is needed any more. */
  async signInUrl(person: Person, server: string, state: string): Promise<string | undefined> {
    const { personal, config } = this.oauthOf(server);
    return personal.signInUrl(person, config, state);
  }

  /** Finishes a sign-in with the callback's code: the person's tokens are stored. Rejects with a reason. */
  async finishSignIn(person: Person, server: string, code: string, state: string): Promise<void> {
    const { personal, config } = this.oauthOf(server);
    await personal.finishSignIn(person, config, code, state);
  }

  /** Forgets the person's tokens for `server`, after revoking them where the server supports it. */
  async disconnect(person: Person, server: string): Promise<Revocation> {
    const { personal, config } = this.oauthOf(server);
    return personal.disconnect(person, config);
  }

  private oauthOf(server: string): { personal: PersonalConnections; config: RemoteServerConfig } {
    const config = this.personalConfigs.get(server);
    if (!config || !this.personal) throw new Error(`"${server}" is not a server people sign in to`);
    return { personal: this.personal, config };
  }

  private async callIn(
    catalog: Catalog,
    connectionOf: (server: string) => ServerConnection | undefined,
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions,
  ): Promise<ToolCallResult> {
    if (this.closed) return errorResult('the tool hub is shut down; no tools can run');
    const ref = catalog.index.get(name);
    const connection = ref && connectionOf(ref.server);
    if (!ref || !connection) {
      return errorResult(`unknown tool "${name}": it is not in the current tool list (its server may have removed it)`);
    }
    return observeToolCall(this.telemetry, ref, args, () => this.callOn(connection, ref, args, options));
  }

  private async callOn(connection: ServerConnection, ref: { server: string; tool: string }, args: Record<string, unknown>, options: ToolCallOptions): Promise<ToolCallResult> {
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    const started = Date.now();
    let result: ToolCallResult;
    try {
      const raw = await connection.callTool(ref.tool, args, {
        timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.context === undefined ? {} : { context: options.context }),
      });
      result = convertToolResult(raw);
    } catch (err) {
      const pages = requiredUrlElicitations(err);
      if (pages && !this.closed) {
        const ask = { server: ref.server, tool: ref.tool, context: options.context, hook: this.onElicitation, signal: options.signal };
        const failed = (e: unknown) => describeCallError(e, { server: ref.server, tool: ref.tool, timeoutMs, aborted: options.signal?.aborted ?? false });
        result = errorResult(await explainUrlElicitations(pages, ask).catch(failed));
      } else {
        const message = this.closed
          ? `the tool hub shut down during the call to ${ref.tool}`
          : describeCallError(err, { server: ref.server, tool: ref.tool, timeoutMs, aborted: options.signal?.aborted ?? false });
        result = errorResult(message);
      }
    }
    this.log.info('tool call', { server: ref.server, tool: ref.tool, ms: Date.now() - started, isError: result.isError });
    return result;
  }

  status(): ServerStatus[] {
    return [...this.connections.values()].map((c) => c.status());
  }

  /**
   * The status for /healthz, which has no authentication: states, never error text (a server's last
   * error can carry what its stderr said). The log has the errors.
   */
  health(): Omit<ServerStatus, 'lastError'>[] {
    return this.status().map(({ lastError: _hidden, ...state }) => state);
  }

  /** Prompts of every server that is up, offers them and is `allowed`, in config order. Never rejects. */
  async listPrompts(allowed?: ServerFilter): Promise<PromptInfo[]> {
    return this.closed ? [] : content.listPrompts(content.restrictedTo(this.sources(), allowed));
  }

  /** Fills in a prompt; messages come back as text and as Claude content blocks. Rejects with a reason. */
  async getPrompt(server: string, name: string, args: Record<string, string> = {}): Promise<PromptResult> {
    return content.getPrompt(this.sources(), server, name, args);
  }

  /** Resources of every server that is up, offers them and is `allowed`, in config order. Never rejects. */
  async listResources(allowed?: ServerFilter): Promise<ResourceInfo[]> {
    return this.closed ? [] : content.listResources(content.restrictedTo(this.sources(), allowed));
  }

  /** URI templates for resources that are not listed one by one. Never rejects. */
  async listResourceTemplates(allowed?: ServerFilter): Promise<ResourceTemplateInfo[]> {
    return this.closed ? [] : content.listResourceTemplates(content.restrictedTo(this.sources(), allowed));
  }

  /**
   * Reads a resource from `server`, or from the server that lists it, or from the first that can read
   * it, among the servers `allowed` (the others are not asked at all); converted like a tool result,
   * ready to attach to a question. Rejects with a reason.
   */
  async readResource(uri: string, server?: string, allowed?: ServerFilter): Promise<ResourceContent> {
    return content.readResource(content.restrictedTo(this.sources(), allowed), uri, server);
  }

  /** Called with the new catalog whenever it changes (a server's list changed, or it was given up). */
  onCatalogChanged(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Closes every session; when it resolves no server process is left running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await Promise.all([...[...this.connections.values()].map((c) => c.close()), this.personal?.close()]);
    this.log.info('mcp hub closed');
  }

  private sources(): content.ContentSources {
    if (this.closed) throw new Error('the tool hub is shut down; no server can be asked');
    return { connections: [...this.connections.values()], timeoutMs: this.callTimeoutMs, log: this.log };
  }

  private rebuild(): void {
    const catalog = buildCatalog(
      [...this.connections.values()].map((c) => ({ server: c.name, tools: c.listTools(), available: c.available })),
    );
    for (const name of catalog.clashes) {
      if (!this.catalog.clashes.includes(name)) this.log.warn('two tools map to the same name; one got a longer suffix', { name });
    }
    // Once per change, not per rebuild; the name itself is not logged (it may be any size).
    const refusedKey = (r: Catalog['refused'][number]) => `${r.server}\u0000${r.length}`;
    const known = new Set(this.catalog.refused.map(refusedKey));
    for (const refused of catalog.refused) {
      if (!known.has(refusedKey(refused))) this.log.warn('a tool name is empty or longer than MCP allows (128); the tool is not offered', { server: refused.server, nameLength: refused.length });
    }
    this.catalog = catalog;
    const key = JSON.stringify(catalog.tools);
    if (key === this.catalogKey) return;
    this.catalogKey = key;
    // Start-up is not a change: listeners subscribe to the catalog start() resolved with.
    if (!this.started || this.closed) return;
    for (const listener of this.listeners) {
      try {
        listener(this.listTools());
      } catch (err) {
        this.log.error('catalog listener failed', { error: err });
      }
    }
  }
}

/** What a person's call says when their tokens stopped working during it. */
function signedOut(server: string): string {
  return `your sign-in to "${server}" has expired and could not be renewed; you will be offered Connect again with your next question`;
}

/** What a tool call that met a scope challenge tells the person (through Claude), by round. */
function stepUpText(server: string, stepUp: StepUp | undefined): string {
  if (stepUp && stepUp.round > MAX_STEP_UPS) return `"${server}" needs permissions for this that the bot could not get for your account; this cannot be done from Slack`;
  return `"${server}" needs more permissions for this than your account granted the bot; ask again and you will be offered Connect to grant them`;
}

/** The shared identity of a client_credentials server (src/oauth/vault.ts TEAM). */
const TEAM_IDENTITY = '*';

/**
 * Remote servers with no `oauth` and no Authorization header that answer 401 with WWW-Authenticate
 * (MCP authorization spec 2025-11-25, "Authorization Server Discovery") are OAuth servers: each person signs in.
 */
async function detectOAuth(servers: ServerConfig[], log: Logger): Promise<ServerConfig[]> {
  return Promise.all(
    servers.map(async (config) => {
      if (config.kind !== 'remote' || config.oauth || Object.keys(config.headers).some((h) => h.toLowerCase() === 'authorization')) return config;
      if (!(await challengeOf(config.url))) return config;
      log.info('server asks for oauth; each person signs in', { server: config.name });
      return { ...config, oauth: PERSONAL_GRANT };
    }),
  );
}

/** The hook, with a log line per question (never its content, which may be personal) and per failure. */
function logged<Req extends { server: string }, Res extends object>(
  kind: 'elicitation' | 'sampling',
  hook: (request: Req, context: CallContext, extras: HookExtras) => Promise<Res>,
  log: Logger,
  outcome: (action: string) => void = () => {},
): (request: Req, context: CallContext, extras: HookExtras) => Promise<Res> {
  return async (request, context, extras) => {
    const started = Date.now();
    try {
      const answer = await hook(request, context, extras);
      const action = 'action' in answer ? answer.action : 'answered';
      log.info(`mcp ${kind} answered`, { server: request.server, ms: Date.now() - started, action, withContext: context !== undefined });
      outcome(String(action));
      return answer;
    } catch (err) {
      log.warn(`mcp ${kind} hook failed`, { server: request.server, error: err instanceof Error ? err.message : String(err) });
      outcome('error');
      throw err;
    }
  };
}
