// Which tool call a server's question (elicitation, sampling) belongs to, so the hook gets the caller's
// context (for Slack: the person to ask). JSON-RPC carries no link from a server request to the client
// request it serves, and the SDK gives the client handler none, so we find it two ways:
// - Streamable HTTP sends such a request on the response stream of the call's own POST; the fetch tap
//   (sse-tap.ts) reports that pairing, and we know each call's JSON-RPC id from a marker in its _meta,
//   read and removed on the way out (servers never see it);
// - otherwise (stdio, SSE, or a request on the standalone stream) it belongs to the only call in flight.
// With several calls in flight and no pairing, the context is undefined: asking the wrong person would
// be worse than asking nobody.
// A request paired with a call that is over (cancelled, timed out), or with a client request that was
// no tool call, has no owner: it is never handed to whichever call runs now. The SDK gives the client
// handler no related id (RequestHandlerExtra has requestId, the server request's own id; the server's
// relatedRequestId is a transport send option that only Streamable HTTP puts on the wire, by choosing
// the stream). Over stdio and SSE, a call that ended without its answer (cancelled, timed out) may still
// be running on the server and ask later, so while such a call is recent (ORPHAN_MS) an unpaired
// request is not guessed to be the only running call's either.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { IdleTimer } from './idle-timer.js';
import type { CallContext } from './types.js';

const CALL_MARKER = 'dev.slack-mcp-claude-bot/call';

export interface TrackedCall {
  context: CallContext;
  timer: IdleTimer;
  /** Aborts once the call is over (answered, failed, cancelled): its questions are moot then. */
  over?: AbortSignal;
}

export interface CallHandle {
  /** Goes into the call's params._meta; removed again before the message leaves. */
  meta: Record<string, string>;
  /** The call is over; `answered` false when the server never answered it (cancelled, timed out). */
  end(answered: boolean): void;
}

/**
 * How long a call that ended without its answer is suspected of still running on the server. Long
 * enough for a server that ignores cancellation to finish its work; a well-behaved server stops at once.
 */
export const ORPHAN_MS = 5 * 60_000;

export interface HookScope {
  context: CallContext;
  /** The owning call's `over` signal, when the owner is known. */
  over: AbortSignal | undefined;
  /** Lets the affected calls' timeouts run again. */
  release(): void;
}

export class CallTracker {
  private next = 1;
  private readonly calls = new Map<string, TrackedCall>();
  /** JSON-RPC id of a call's tools/call request -> the call. */
  private readonly byRequest = new Map<string, string>();
  /** A server request's id -> the JSON-RPC id of the client request whose stream carried it. */
  private readonly related = new Map<string, string>();
  /** When each call that ended unanswered stops being suspected of asking late (ms since epoch). */
  private readonly orphans = new Map<string, number>();

  constructor(private readonly options: { orphanMs?: number; now?: () => number } = {}) {}

  begin(call: TrackedCall): CallHandle {
    const key = String(this.next++);
    this.calls.set(key, call);
    return {
      meta: { [CALL_MARKER]: key },
      end: (answered) => {
        this.calls.delete(key);
        for (const [requestId, callKey] of this.byRequest) if (callKey === key) this.byRequest.delete(requestId);
        if (!answered) this.orphans.set(key, this.now() + (this.options.orphanMs ?? ORPHAN_MS));
      },
    };
  }

  /** The fetch tap saw server request `serverRequestId` on the response stream of `clientRequestId`. */
  relate(serverRequestId: RequestId, clientRequestId: RequestId): void {
    this.related.set(String(serverRequestId), String(clientRequestId));
  }

  /** For a server request being answered: whose it is, with those calls' timeouts on hold meanwhile. */
  enterHook(serverRequestId: RequestId): HookScope {
    const clientRequestId = this.related.get(String(serverRequestId));
    this.related.delete(String(serverRequestId));
    const pairedKey = clientRequestId === undefined ? undefined : this.byRequest.get(clientRequestId);
    const paired = pairedKey === undefined ? undefined : this.calls.get(pairedKey);
    const inFlight = [...this.calls.values()];
    // Paired with something that is not a running call: its call is over, so it belongs to nobody now.
    const guess = clientRequestId === undefined && inFlight.length === 1 && !this.lateAskerPossible() ? inFlight[0] : undefined;
    const owner = paired ?? guess;
    // Unsure whose it is: hold every call, so none times out while someone answers.
    const releases = (owner ? [owner] : inFlight).map((call) => call.timer.hold());
    return { context: owner?.context, over: owner?.over, release: () => releases.forEach((release) => release()) };
  }

  /** Whether a call that ended unanswered may still be running on the server (and so be the asker). */
  private lateAskerPossible(): boolean {
    const now = this.now();
    for (const [key, until] of this.orphans) if (until <= now) this.orphans.delete(key);
    return this.orphans.size > 0;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Wraps transport.send to learn each call's JSON-RPC id from its marker, and strip the marker. */
  watch(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(this.unmark(message), options);
  }

  private unmark(message: JSONRPCMessage): JSONRPCMessage {
    if (!isJSONRPCRequest(message)) return message;
    const original: { _meta?: Record<string, unknown> } | undefined = message.params;
    const meta = original?._meta;
    const key = meta?.[CALL_MARKER];
    if (meta === undefined || typeof key !== 'string') return message;
    this.byRequest.set(String(message.id), key);
    const { [CALL_MARKER]: _marker, ...rest } = meta;
    const params: { _meta?: Record<string, unknown> } = { ...original };
    if (Object.keys(rest).length > 0) params._meta = rest;
    else delete params._meta;
    return { ...message, params };
  }
}
