// The hub: every configured server behind one namespaced tool catalog. The agent loop sees it as a
// ToolProvider; /healthz reads status(). Servers are supervised one by one (ServerConnection), so a
// server that cannot start or keeps crashing never takes the others down with it.
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { describeCallError } from './call-errors.js';
import { buildCatalog, type Catalog } from './catalog.js';
import { ServerConnection } from './connection.js';
import { convertToolResult, errorResult } from './convert.js';
import { withDefaults, type RestartPolicy } from './restart-policy.js';
import { openSession, type OpenSession } from './session.js';
import type { ServerConfig, ServerStatus, ToolCallOptions, ToolCallResult, ToolDefinition, ToolProvider } from './types.js';

export interface McpHubOptions {
  logger: Logger;
  /** Default per-call timeout; progress notifications reset it. Default 60 s. */
  callTimeoutMs?: number;
  /** Limit for starting a server and listing its tools. Default 30 s. */
  connectTimeoutMs?: number;
  restart?: RestartPolicy;
  /** How long a call to a server that is down waits for it to come back. Default 10 s. */
  restartWaitMs?: number;
  clientInfo?: { name: string; version: string };
  /** Replaces the real MCP session (tests supervise fakes with it). */
  openSession?: OpenSession;
}

export type CatalogListener = (tools: ToolDefinition[]) => void;

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const DEFAULT_RESTART_WAIT_MS = 10_000;
const DEFAULT_CLIENT_INFO = { name: 'slack-mcp-claude-bot', version: '0.1.0' };

export class McpHub implements ToolProvider {
  private readonly connections = new Map<string, ServerConnection>();
  private readonly listeners = new Set<CatalogListener>();
  private catalog: Catalog = { tools: [], index: new Map(), clashes: [] };
  private catalogKey = '';
  private readonly callTimeoutMs: number;
  private readonly log: Logger;
  private started = false;
  private closed = false;

  private constructor(servers: ServerConfig[], options: McpHubOptions) {
    this.log = options.logger;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    for (const config of servers) {
      this.connections.set(
        config.name,
        new ServerConnection(config, {
          logger: options.logger,
          openSession: options.openSession ?? openSession,
          session: {
            connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
            clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
          },
          restart: withDefaults(options.restart),
          restartWaitMs: options.restartWaitMs ?? DEFAULT_RESTART_WAIT_MS,
          onChange: () => this.rebuild(),
        }),
      );
    }
  }

  /** Starts every server in parallel. Resolves once each is up or has failed (failures are logged). */
  static async start(servers: ServerConfig[], options: McpHubOptions): Promise<McpHub> {
    const names = servers.map((s) => s.name);
    const duplicates = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
    if (duplicates.length > 0) {
      throw new ConfigError(duplicates.map((name) => `server "${name}" is configured twice; give each server its own name`));
    }
    const hub = new McpHub(servers, options);
    await Promise.all([...hub.connections.values()].map((c) => c.start()));
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
    if (this.closed) return errorResult('the tool hub is shut down; no tools can run');
    const ref = this.catalog.index.get(name);
    const connection = ref && this.connections.get(ref.server);
    if (!ref || !connection) {
      return errorResult(`unknown tool "${name}": it is not in the current tool list (its server may have removed it)`);
    }
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    const started = Date.now();
    let result: ToolCallResult;
    try {
      const raw = await connection.callTool(ref.tool, args, {
        timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      result = convertToolResult(raw);
    } catch (err) {
      const message = this.closed
        ? `the tool hub shut down during the call to ${ref.tool}`
        : describeCallError(err, { server: ref.server, tool: ref.tool, timeoutMs, aborted: options.signal?.aborted ?? false });
      result = errorResult(message);
    }
    this.log.info('tool call', { server: ref.server, tool: ref.tool, ms: Date.now() - started, isError: result.isError });
    return result;
  }

  status(): ServerStatus[] {
    return [...this.connections.values()].map((c) => c.status());
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
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.log.info('mcp hub closed');
  }

  private rebuild(): void {
    const catalog = buildCatalog(
      [...this.connections.values()].map((c) => ({ server: c.name, tools: c.listTools(), available: c.available })),
    );
    for (const name of catalog.clashes) {
      if (!this.catalog.clashes.includes(name)) this.log.warn('two tools map to the same name; one got a longer suffix', { name });
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
