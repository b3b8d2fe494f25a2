// One live MCP session: an SDK Client over an opened transport. It does no supervision; it reports
// that it ended (onClosed) and leaves restarting to ServerConnection. The rest of src/mcp talks to the
// McpSession interface, so tests can supervise fake sessions and an SDK upgrade stays in these files.
// This file connects (with the Streamable HTTP -> SSE fallback for remote servers); live-session.ts is
// what a connected session does.
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type GetPromptResult, type Prompt, type ReadResourceResult, type Resource, type ResourceTemplate, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { CallTracker } from './call-tracker.js';
import { capabilitiesFor, installFeatureHandlers, type ClientFeatures } from './client-features.js';
import type { RawToolResult } from './convert.js';
import { liveSession } from './live-session.js';
import { waitForExit } from './process-exit.js';
import { describeRemoteStart, worthSseFallback } from './remote-errors.js';
import { ServerStartError } from './session-errors.js';
import { openTransport, type TransportKind } from './transports.js';
import type { CallContext, ServerConfig, ToolProgress } from './types.js';

export { ServerStartError, SessionLostError } from './session-errors.js';

export type McpTool = Tool;
export type McpPrompt = Prompt;
export type McpResource = Resource;
export type McpResourceTemplate = ResourceTemplate;

export interface SessionCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: ToolProgress) => void;
  /** Handed to the elicitation and sampling hooks for requests made during this call. */
  context?: CallContext;
}

/** Limits for a request that is not a tool call (lists, prompts, resources). */
export interface RequestLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface McpSession {
  readonly pid: number | undefined;
  /** What carries it: 'stdio', or for remote servers 'http' (Streamable HTTP) or 'sse'. */
  readonly transport: TransportKind;
  /** Which optional server features it declared at initialize. */
  readonly offers: { prompts: boolean; resources: boolean };
  listTools(timeoutMs: number, signal?: AbortSignal): Promise<McpTool[]>;
  callTool(name: string, args: Record<string, unknown>, options: SessionCallOptions): Promise<RawToolResult>;
  listPrompts(limits: RequestLimits): Promise<McpPrompt[]>;
  getPrompt(name: string, args: Record<string, string>, limits: RequestLimits): Promise<GetPromptResult>;
  listResources(limits: RequestLimits): Promise<McpResource[]>;
  listResourceTemplates(limits: RequestLimits): Promise<McpResourceTemplate[]>;
  readResource(uri: string, limits: RequestLimits): Promise<ReadResourceResult>;
  /** The server's recent stderr (or other diagnostics), oldest first. */
  diagnostics(count?: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface SessionHooks {
  /** The session ended without close() being called: the process exited or the connection dropped. */
  onClosed(): void;
  /** The server sent notifications/tools/list_changed. */
  onToolsChanged(): void;
  /** One line of the server's stderr. */
  onDiagnostic: (line: string) => void;
  /** A protocol-level problem that did not end the session (e.g. a non-JSON line on stdout). */
  onError(error: Error): void;
}

export interface SessionOptions {
  connectTimeoutMs: number;
  clientInfo: { name: string; version: string };
  /** Roots and hooks offered to the server (each declared as a capability only when present). */
  features?: ClientFeatures;
  /** Aborts a start in progress (the hub is closing). */
  signal?: AbortSignal;
  /** Signs in with OAuth (remote servers; oauth-provider.ts) instead of static headers alone. */
  authProvider?: OAuthClientProvider;
}

export type OpenSession = (config: ServerConfig, hooks: SessionHooks, options: SessionOptions) => Promise<McpSession>;

const EXIT_WAIT_MS = 5000;
const DRAIN_WAIT_MS = 300;

export const openSession: OpenSession = async (config, hooks, options) => {
  if (config.kind === 'stdio') return connect(config, 'stdio', hooks, options);
  const preferred = config.transport ?? 'auto';
  if (preferred !== 'auto') return connect(config, preferred, hooks, options);
  try {
    return await connect(config, 'http', hooks, options);
  } catch (err) {
    if (!(err instanceof ServerStartError) || !worthSseFallback(err.httpStatus) || options.signal?.aborted) throw err;
    try {
      return await connect(config, 'sse', hooks, options);
    } catch (sseErr) {
      if (!(sseErr instanceof ServerStartError)) throw sseErr;
      // Both failed: the first answer usually says more (a wrong path answers 404 to both).
      throw new ServerStartError(`${err.message} (the older SSE transport did not work either)`, [], sseErr.retryable, err.httpStatus);
    }
  }
};

async function connect(config: ServerConfig, kind: TransportKind, hooks: SessionHooks, options: SessionOptions): Promise<McpSession> {
  const calls = new CallTracker();
  const opened = openTransport(config, kind, {
    onDiagnostic: hooks.onDiagnostic,
    onRelatedRequest: (serverRequestId, clientRequestId) => calls.relate(serverRequestId, clientRequestId),
  }, options.authProvider);
  calls.watch(opened.transport);
  const features = options.features ?? {};
  const client = new Client(options.clientInfo, { capabilities: capabilitiesFor(features) });
  installFeatureHandlers(client, features, config.name, calls);
  const state = { established: false, closing: false };
  // Registered before connect: some servers announce a changed list right after initialising.
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => hooks.onToolsChanged());
  client.onclose = () => {
    if (state.established && !state.closing) hooks.onClosed();
  };

  try {
    await client.connect(opened.transport, {
      timeout: options.connectTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    state.closing = true;
    await client.close().catch(() => undefined);
    // A server that failed its handshake has nothing to shut down gracefully: do not wait for the
    // SDK's stdin-then-SIGTERM schedule, but do wait until it is gone, so nothing outlives the hub.
    const spawned = opened.pid();
    if (spawned !== undefined) {
      terminate(spawned);
      await waitForExit(spawned, EXIT_WAIT_MS);
    }
    await opened.drained(DRAIN_WAIT_MS);
    const diagnostics = opened.diagnostics();
    if (config.kind === 'remote') {
      const problem = describeRemoteStart(err, opened.label);
      throw new ServerStartError(problem.message, diagnostics, problem.retryable, problem.httpStatus);
    }
    throw new ServerStartError(startFailure(err, config, diagnostics), diagnostics);
  }
  state.established = true;
  return liveSession({ client, opened, calls, hooks, state });
}

function terminate(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function startFailure(err: unknown, config: ServerConfig, stderr: string[]): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && config.kind === 'stdio') {
    return `could not start "${config.command}": command not found; check the command and PATH`;
  }
  if (code === 'EACCES' && config.kind === 'stdio') {
    return `could not start "${config.command}": permission denied; check that it is executable`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const lastLine = stderr.at(-1);
  if (/connection closed/i.test(message)) {
    return `exited before completing the MCP handshake${lastLine ? `; it said: ${lastLine.trim()}` : ''}`;
  }
  if (/timed out/i.test(message)) return `did not answer the MCP handshake in time${lastLine ? `; it said: ${lastLine.trim()}` : ''}`;
  return `${message}${lastLine ? `; it said: ${lastLine.trim()}` : ''}`;
}
