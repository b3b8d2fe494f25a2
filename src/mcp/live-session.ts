// What a connected session does: tool calls (with an idle timeout that progress and pending questions
// keep alive), lists, prompts and resources, and for remote servers noticing that the connection is
// gone. A stdio server's exit closes the transport by itself; an HTTP server that restarts just stops
// knowing our session, which shows up as a broken event stream or a 404 on the next request.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CallTracker } from './call-tracker.js';
import { IdleTimer } from './idle-timer.js';
import { waitForExit } from './process-exit.js';
import { classifyRemote, isSessionLost } from './remote-errors.js';
import { SessionLostError } from './session-errors.js';
import type { McpSession, RequestLimits, SessionHooks } from './session.js';
import type { OpenedTransport } from './transports.js';

export interface LiveSessionParts {
  client: Client;
  opened: OpenedTransport;
  calls: CallTracker;
  hooks: SessionHooks;
  /** Shared with the connect step: `closing` silences onClosed for a close we asked for. */
  state: { established: boolean; closing: boolean };
}

const MAX_PAGES = 100;
const EXIT_WAIT_MS = 5000;
const DRAIN_WAIT_MS = 300;
const PING_TIMEOUT_MS = 5000;
const TERMINATE_WAIT_MS = 1000;
/** The SDK's own request timer is replaced by IdleTimer; this keeps it out of the way (setTimeout's maximum). */
const NO_SDK_TIMEOUT_MS = 2_147_483_647;

export function liveSession({ client, opened, calls, hooks, state }: LiveSessionParts): McpSession {
  const remote = opened.kind !== 'stdio';
  let dropped = false;
  let probing = false;

  /** The connection is gone: closing the client reports it (onClosed) and fails pending requests. */
  const drop = async () => {
    if (dropped || state.closing) return;
    dropped = true;
    await client.close().catch(() => undefined);
  };
  /** Something broke on a remote connection that may or may not be fatal: ask the server. */
  const probe = () => {
    if (probing || dropped || state.closing) return;
    probing = true;
    client
      .ping({ timeout: PING_TIMEOUT_MS })
      .then(
        () => undefined,
        () => drop(),
      )
      .finally(() => {
        probing = false;
      });
  };

  client.onerror = (error) => {
    // Before the handshake completes, failures surface through connect() instead.
    if (!state.established || state.closing || dropped) return;
    hooks.onError(error);
    if (!remote || error.name === 'SyntaxError' || error.name === 'ZodError') return;
    // An SSE session lives and dies with its event stream (a reconnected stream is a new session).
    if (error instanceof SseError) void drop();
    else probe();
  };

  /** Runs a request; for remote servers, turns "the session is gone" into SessionLostError. */
  const request = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (!remote) throw err;
      const failure = classifyRemote(err);
      if (isSessionLost(failure)) {
        await drop();
        const why = failure.kind === 'http' ? `HTTP ${failure.status}` : 'unreachable';
        throw new SessionLostError(`the connection to the server was lost before the request reached it (${why}); it can be tried again`);
      }
      if (failure.kind === 'network' || failure.kind === 'other') probe();
      throw err;
    }
  };

  const limitsOf = (limits: RequestLimits) => ({ timeout: limits.timeoutMs, ...(limits.signal ? { signal: limits.signal } : {}) });
  const offered = client.getServerCapabilities();
  const pid = opened.pid();

  return {
    pid,
    transport: opened.kind,
    offers: { prompts: offered?.prompts !== undefined, resources: offered?.resources !== undefined },
    listTools: (timeoutMs, signal) =>
      request(() =>
        paginate(async (cursor) => {
          const page = await client.listTools(cursor === undefined ? undefined : { cursor }, limitsOf({ timeoutMs, ...(signal ? { signal } : {}) }));
          return { items: page.tools, nextCursor: page.nextCursor };
        }),
      ),
    async callTool(name, args, options) {
      const timeout = new AbortController();
      const timer = new IdleTimer(options.timeoutMs, () =>
        timeout.abort(new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: options.timeoutMs })),
      );
      const finished = new AbortController();
      const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
      const call = calls.begin({ context: options.context, timer, over: AbortSignal.any([signal, finished.signal]) });
      const { onProgress } = options;
      try {
        return await request(() =>
          client.callTool({ name, arguments: args, _meta: call.meta }, undefined, {
            timeout: NO_SDK_TIMEOUT_MS,
            signal,
            // Always asked for, so the server may report progress: a server that reports progress is
            // alive, and the timeout is for silence, not for total time.
            onprogress: (p) => {
              timer.reset();
              onProgress?.({
                progress: p.progress,
                ...(p.total === undefined ? {} : { total: p.total }),
                ...(p.message === undefined ? {} : { message: p.message }),
              });
            },
          }),
        );
      } finally {
        timer.stop();
        // Aborted (cancelled, timed out): the server never answered and may still be working on it.
        call.end(!signal.aborted);
        finished.abort();
      }
    },
    listPrompts: (limits) =>
      request(() =>
        paginate(async (cursor) => {
          const page = await client.listPrompts(cursor === undefined ? undefined : { cursor }, limitsOf(limits));
          return { items: page.prompts, nextCursor: page.nextCursor };
        }),
      ),
    getPrompt: (name, args, limits) => request(() => client.getPrompt({ name, arguments: args }, limitsOf(limits))),
    listResources: (limits) =>
      request(() =>
        paginate(async (cursor) => {
          const page = await client.listResources(cursor === undefined ? undefined : { cursor }, limitsOf(limits));
          return { items: page.resources, nextCursor: page.nextCursor };
        }),
      ),
    listResourceTemplates: (limits) =>
      request(() =>
        paginate(async (cursor) => {
          const page = await client.listResourceTemplates(cursor === undefined ? undefined : { cursor }, limitsOf(limits));
          return { items: page.resourceTemplates, nextCursor: page.nextCursor };
        }),
      ),
    readResource: (uri, limits) => request(() => client.readResource({ uri }, limitsOf(limits))),
    async diagnostics(count) {
      await opened.drained(DRAIN_WAIT_MS);
      return opened.diagnostics(count);
    },
    async close() {
      const live = !dropped && !state.closing;
      state.closing = true;
      // Tell a remote server it can forget the session now rather than when it times out.
      if (live && opened.terminate) await withTimeout(opened.terminate(), TERMINATE_WAIT_MS).catch(() => undefined);
      await client.close().catch(() => undefined);
      if (pid !== undefined) await waitForExit(pid, EXIT_WAIT_MS);
    },
  };
}

async function paginate<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === undefined) break;
  }
  return items;
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}
