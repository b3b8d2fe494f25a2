// Why a tool call failed, in words Claude (and the person reading the tool note) can act on.
// The SDK reports timeouts, dropped connections and JSON-RPC errors as McpError codes.
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1))} s`;
}

/** Which call failed and how it was set up. */
export interface ErrorContext {
  server: string;
  tool: string;
  timeoutMs: number;
  aborted: boolean;
}

export function describeCallError(err: unknown, ctx: ErrorContext): string {
  if (ctx.aborted || (err instanceof Error && err.name === 'AbortError')) return `the call to ${ctx.tool} was cancelled`;
  if (err instanceof McpError) {
    if ((err.code as ErrorCode) === ErrorCode.RequestTimeout) {
      const data = err.data as { timeout?: unknown } | undefined;
      const ms = typeof data?.timeout === 'number' ? data.timeout : ctx.timeoutMs;
      return `the call to ${ctx.tool} timed out after ${formatSeconds(ms)} without a result from the "${ctx.server}" server`;
    }
    if ((err.code as ErrorCode) === ErrorCode.ConnectionClosed) {
      return `the "${ctx.server}" server closed the connection during the call (it may have crashed; it is restarted automatically, so the call can be tried again)`;
    }
    return err.message;
  }
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
