// One supervised server: starts it, keeps its tool list current, notices when it exits (or, for a
// remote server, when the connection is lost) and restarts or reconnects it with backoff. A call that
// arrives while the server is down does not fail straight away: it reconnects on demand and waits
// briefly, so the first call after a crash normally just works. A remote server that cannot be reached
// at start is retried the same way, since networks and servers come back; a local one that cannot
// start is given up at once, since that is nearly always its configuration.
import type { Logger } from '../log.js';
import type { RawToolResult } from './convert.js';
import { scrubUrl, urlLabel } from './remote-transport.js';
import { backoffDelay, type RestartPolicy } from './restart-policy.js';
import {
  ServerStartError,
  SessionLostError,
  type McpSession,
  type McpTool,
  type OpenSession,
  type SessionCallOptions,
  type SessionHooks,
  type SessionOptions,
} from './session.js';
import type { ServerConfig, ServerState, ServerStatus } from './types.js';

export interface ConnectionOptions {
  logger: Logger;
  openSession: OpenSession;
  session: Omit<SessionOptions, 'signal'>;
  restart: Required<RestartPolicy>;
  /** How long a call to a server that is down waits for it to come back. */
  restartWaitMs: number;
  /** Called when the tool list or the availability of this server changed. */
  onChange: () => void;
}

const STDERR_LINES = 20;

export class ServerConnection {
  private state: ServerState = 'connecting';
  private session: McpSession | undefined;
  private tools: McpTool[] = [];
  private lastError: string | undefined;
  private restarts = 0;
  /** Restart attempts since the last stable run. */
  private attempts = 0;
  /** Sessions from older generations are ignored when they report (late exits, late notifications). */
  private generation = 0;
  private upSince = 0;
  /** When the pending backoff wait ends (ms since epoch), while there is one. */
  private nextAttemptAt: number | undefined;
  private attempt: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private refreshAgain = false;
  private closed = false;
  private readonly lifetime = new AbortController();
  private readonly log: Logger;

  constructor(
    readonly config: ServerConfig,
    private readonly options: ConnectionOptions,
  ) {
    this.log = options.logger.child({ server: config.name });
  }

  /** `text` with this server's URL cut to scheme, host and port (remote servers; see urlLabel). */
  scrub(text: string): string {
    return this.config.kind === 'remote' ? scrubUrl(text, this.config.url) : text;
  }

  get name(): string {
    return this.config.name;
  }

  /** Whether its tools belong in the catalog: not once it has been given up. */
  get available(): boolean {
    return this.state !== 'failed';
  }

  status(): ServerStatus {
    const pid = this.session?.pid;
    const transport = this.session?.transport;
    return {
      name: this.name,
      kind: this.config.kind,
      state: this.state,
      tools: this.available ? this.tools.length : 0,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      restarts: this.restarts,
      ...(pid === undefined ? {} : { pid }),
      ...(transport === undefined ? {} : { transport }),
      ...(this.nextAttemptAt === undefined ? {} : { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() }),
    };
  }

  /** The live session, if any: what the hub asks about prompts and resources without waiting. */
  get live(): McpSession | undefined {
    return this.state === 'up' ? this.session : undefined;
  }

  listTools(): McpTool[] {
    return this.tools;
  }

  /**
   * The first connection. Never rejects: a server that cannot start is reported and marked failed, or
   * for a passing cause (a remote server not reachable yet) left retrying with backoff.
   */
  async start(): Promise<void> {
    this.attempt = this.connect();
    try {
      await this.attempt;
      this.log.info('mcp server up', { tools: this.tools.length, pid: this.session?.pid, transport: this.session?.transport });
    } catch (err) {
      if (this.closed) return;
      this.lastError = this.scrub(oneLine(err));
      if (err instanceof ServerStartError && err.retryable) {
        // Left 'down' on purpose: the finally below plans the retry.
        this.state = 'down';
        this.log.warn('mcp server not reachable yet; retrying with backoff', { ...describeConfig(this.config), error: this.lastError });
        return;
      }
      this.state = 'failed';
      this.log.error('mcp server failed to start', {
        ...describeConfig(this.config),
        error: this.lastError,
        stderr: err instanceof ServerStartError ? err.diagnostics.slice(-STDERR_LINES) : [],
      });
    } finally {
      this.attempt = undefined;
      // It came up and exited again before this attempt was done: handleExit left the restart to us.
      if (this.state === 'down') this.scheduleRestart();
    }
  }

  async callTool(tool: string, args: Record<string, unknown>, options: SessionCallOptions): Promise<RawToolResult> {
    return this.use((session) => session.callTool(tool, args, options), options.timeoutMs, options.signal);
  }

  /**
   * Runs `run` on the live session, reconnecting first if the server is down (waiting at most
   * `timeoutMs` or restartWaitMs, whichever is shorter).
   */
  async use<T>(run: (session: McpSession) => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const waitMs = Math.min(this.options.restartWaitMs, timeoutMs);
    try {
      const session = await this.ready(waitMs, signal);
      try {
        return await run(session);
      } catch (err) {
        // The server had forgotten the session (it restarted) before the request reached it, so it ran
        // nothing: sending it again on a fresh session is safe, and spares the caller a failure.
        if (!(err instanceof SessionLostError) || this.closed || signal?.aborted) throw err;
        this.log.info('mcp session was gone; reconnected and sent the request again', { error: this.scrub(oneLine(err)).slice(0, 200) });
        return await run(await this.ready(waitMs, signal));
      }
    } catch (err) {
      // Whatever the transport said goes on to Claude, the person and the log: never with the URL's secret.
      if (err instanceof Error && this.config.kind === 'remote') err.message = this.scrub(err.message);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    this.lifetime.abort(new Error('the tool hub is shutting down'));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.attempt?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let changedWhileConnecting = false;
    let reportedError = false;
    const current = () => generation === this.generation && !this.closed;
    const hooks: SessionHooks = {
      onClosed: () => {
        if (current() && this.session) this.handleExit();
      },
      onToolsChanged: () => {
        if (!current()) return;
        if (this.session) this.refreshTools();
        else changedWhileConnecting = true;
      },
      onDiagnostic: (line) => this.log.debug('mcp server stderr', { line }),
      onError: (error) => {
        // Output that is not JSON-RPC (a server printing to stdout) is a real bug worth one warning;
        // the rest (e.g. a progress note arriving just after its result) is routine.
        const malformed = error.name === 'SyntaxError' || error.name === 'ZodError';
        const fields = { error: this.scrub(oneLine(error)).slice(0, 300) };
        if (malformed && !reportedError) this.log.warn('mcp server wrote something that is not an MCP message', fields);
        else this.log.debug('mcp protocol error', fields);
        if (malformed) reportedError = true;
      },
    };
    const session = await this.options.openSession(this.config, hooks, { ...this.options.session, signal: this.lifetime.signal });
    try {
      const tools = await session.listTools(this.options.session.connectTimeoutMs, this.lifetime.signal);
      if (!current()) throw new Error('the tool hub is shutting down');
      this.session = session;
      this.setTools(tools);
      this.state = 'up';
      this.upSince = Date.now();
    } catch (err) {
      await session.close();
      throw err;
    }
    this.options.onChange();
    if (changedWhileConnecting) this.refreshTools();
  }

  /** The session ended on its own: mark down, restart with backoff, keep the tools listed meanwhile. */
  private handleExit(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.state = 'down';
    const uptimeMs = Date.now() - this.upSince;
    if (uptimeMs >= this.options.restart.stableAfterMs) this.attempts = 0;
    const remote = this.config.kind === 'remote';
    const lost = remote ? 'the connection to the server was lost' : 'the server exited unexpectedly';
    this.lastError = lost;
    this.scheduleRestart();
    this.options.onChange();
    void (async () => {
      const stderr = await session.diagnostics(STDERR_LINES);
      const said = stderr.at(-1)?.trim();
      if (said && this.lastError === lost) this.lastError += `; it said: ${said}`;
      if (remote) this.log.warn('mcp server connection lost; reconnecting', { uptimeMs });
      else this.log.warn('mcp server exited; restarting it', { uptimeMs, pid: session.pid, stderr });
      await session.close();
    })();
  }

  private scheduleRestart(): void {
    if (this.closed || this.attempt || this.retryTimer) return;
    this.attempts++;
    const { restart } = this.options;
    if (this.attempts > restart.maxAttempts) {
      this.state = 'failed';
      this.log.error('mcp server keeps failing; giving up on it', { attempts: this.attempts - 1, error: this.lastError });
      this.options.onChange();
      return;
    }
    // 'restarting' covers the backoff wait too: for people the server is on its way back.
    this.state = 'restarting';
    const delayMs = backoffDelay(this.attempts, restart);
    this.nextAttemptAt = Date.now() + delayMs;
    this.log.debug('mcp server restart scheduled', { delayMs, attempt: this.attempts });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.restartNow();
    }, delayMs);
    // A pending restart must not keep the process alive on its own.
    this.retryTimer.unref();
  }

  /** Starts a restart attempt now (cutting a backoff wait short) or joins the one in progress. */
  private restartNow(): Promise<void> {
    if (this.attempt) return this.attempt;
    if (this.closed || this.state === 'failed' || this.state === 'up') return Promise.resolve();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextAttemptAt = undefined;
    this.state = 'restarting';
    const attempt = (async () => {
      try {
        await this.connect();
        this.restarts++;
        this.log.info('mcp server restarted', { tools: this.tools.length, pid: this.session?.pid, restarts: this.restarts });
      } catch (err) {
        if (this.closed) return;
        this.state = 'down';
        this.lastError = this.scrub(oneLine(err));
        this.log.warn('mcp server restart failed', {
          error: this.lastError,
          stderr: err instanceof ServerStartError ? err.diagnostics.slice(-STDERR_LINES) : [],
        });
      }
    })();
    this.attempt = attempt.finally(() => {
      this.attempt = undefined;
      if (this.state === 'down') this.scheduleRestart();
    });
    return this.attempt;
  }

  /** The live session, reconnecting on demand and waiting up to `waitMs` if the server is down. */
  private async ready(waitMs: number, signal: AbortSignal | undefined): Promise<McpSession> {
    if (this.closed) throw new Error('the tool hub is shutting down');
    if (this.state === 'up' && this.session) return this.session;
    if (this.state === 'failed') throw new Error(`the "${this.name}" server is not available: ${this.lastError ?? 'it failed'}`);
    await waitUntil(this.attempt ?? this.restartNow(), waitMs, signal);
    signal?.throwIfAborted();
    if (this.state === 'up' && this.session) return this.session;
    throw new Error(
      `the "${this.name}" server is restarting and did not come back within ${Math.round(waitMs / 1000)} s` +
        `${this.lastError ? ` (${this.lastError})` : ''}; try again in a moment`,
    );
  }

  private refreshTools(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    void (async () => {
      try {
        do {
          this.refreshAgain = false;
          const session = this.session;
          if (!session) break;
          try {
            const tools = await session.listTools(this.options.session.connectTimeoutMs, this.lifetime.signal);
            if (session !== this.session) break;
            this.setTools(tools);
            this.log.info('mcp server tool list changed', { tools: this.tools.length });
            this.options.onChange();
          } catch (err) {
            if (!this.closed) this.log.warn('could not refresh the tool list', { error: this.scrub(oneLine(err)) });
          }
        } while (this.refreshAgain);
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private setTools(tools: McpTool[]): void {
    // Tools that only run as MCP tasks need the experimental tasks API; Claude cannot use them here.
    const usable = tools.filter((tool) => tool.execution?.taskSupport !== 'required');
    if (usable.length < tools.length) {
      this.log.debug('skipping tools that require task-based execution', {
        tools: tools.filter((t) => !usable.includes(t)).map((t) => t.name),
      });
    }
    this.tools = usable;
  }
}

function describeConfig(config: ServerConfig): Record<string, string> {
  return config.kind === 'stdio' ? { command: config.command } : { url: urlLabel(config.url) };
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim();
}

/** Resolves when `promise` settles, `ms` pass, or `signal` aborts, whichever is first. */
async function waitUntil(promise: Promise<unknown>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      promise.catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
      new Promise<void>((resolve) => {
        onAbort = resolve;
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
