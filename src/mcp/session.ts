// One live MCP session: an SDK Client over an opened transport. It does no supervision; it reports
// that it ended (onClosed) and leaves restarting to ServerConnection. The rest of src/mcp talks to the
// McpSession interface, so tests can supervise fake sessions and an SDK upgrade stays in this file.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RawToolResult } from './convert.js';
import { waitForExit } from './process-exit.js';
import { openTransport } from './transports.js';
import type { ServerConfig, ToolProgress } from './types.js';

export type McpTool = Tool;

export interface SessionCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: ToolProgress) => void;
}

export interface McpSession {
  readonly pid: number | undefined;
  listTools(timeoutMs: number, signal?: AbortSignal): Promise<McpTool[]>;
  callTool(name: string, args: Record<string, unknown>, options: SessionCallOptions): Promise<RawToolResult>;
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
  onDiagnostic(line: string): void;
  /** A protocol-level problem that did not end the session (e.g. a non-JSON line on stdout). */
  onError(error: Error): void;
}

export interface SessionOptions {
  connectTimeoutMs: number;
  clientInfo: { name: string; version: string };
  /** Aborts a start in progress (the hub is closing). */
  signal?: AbortSignal;
}

export type OpenSession = (config: ServerConfig, hooks: SessionHooks, options: SessionOptions) => Promise<McpSession>;

/** A start that failed, with what the server said on stderr. */
export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly diagnostics: string[],
  ) {
    super(message);
    this.name = 'ServerStartError';
  }
}

const MAX_TOOL_PAGES = 100;
const EXIT_WAIT_MS = 5000;
const DRAIN_WAIT_MS = 300;

export const openSession: OpenSession = async (config, hooks, options) => {
  const opened = openTransport(config, hooks.onDiagnostic);
  const client = new Client(options.clientInfo, { capabilities: {} });
  let established = false;
  let closing = false;
  // Registered before connect: some servers announce a changed list right after initialising.
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => hooks.onToolsChanged());
  client.onclose = () => {
    if (established && !closing) hooks.onClosed();
  };
  client.onerror = (error) => {
    // Before the handshake completes, failures surface through connect() instead.
    if (established && !closing) hooks.onError(error);
  };

  try {
    await client.connect(opened.transport, {
      timeout: options.connectTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    closing = true;
    await client.close().catch(() => undefined);
    // A server that failed its handshake has nothing to shut down gracefully: do not wait for the
    // SDK's stdin-then-SIGTERM schedule, but do wait until it is gone, so nothing outlives the hub.
    const spawned = opened.pid();
    if (spawned !== undefined) {
      terminate(spawned);
      await waitForExit(spawned, EXIT_WAIT_MS);
    }
    await opened.drained(DRAIN_WAIT_MS);
    throw new ServerStartError(startFailure(err, config, opened.diagnostics()), opened.diagnostics());
  }
  established = true;

  const pid = opened.pid();
  return {
    pid,
    async listTools(timeoutMs, signal) {
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const result = await client.listTools(cursor === undefined ? undefined : { cursor }, {
          timeout: timeoutMs,
          ...(signal ? { signal } : {}),
        });
        tools.push(...result.tools);
        cursor = result.nextCursor;
        if (cursor === undefined) break;
      }
      return tools;
    },
    async callTool(name, args, callOptions) {
      const { onProgress } = callOptions;
      return client.callTool({ name, arguments: args }, undefined, {
        timeout: callOptions.timeoutMs,
        // A server that reports progress is alive: the timeout is for silence, not for total time.
        resetTimeoutOnProgress: true,
        ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        ...(onProgress
          ? { onprogress: (p) => onProgress({ progress: p.progress, total: p.total, message: p.message }) }
          : {}),
      });
    },
    async diagnostics(count) {
      await opened.drained(DRAIN_WAIT_MS);
      return opened.diagnostics(count);
    },
    async close() {
      closing = true;
      await client.close().catch(() => undefined);
      if (pid !== undefined) await waitForExit(pid, EXIT_WAIT_MS);
    },
  };
};

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
