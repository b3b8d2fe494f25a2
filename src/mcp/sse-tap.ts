// A fetch for the Streamable HTTP transport that watches, without changing a byte, the event stream
// that answers each POSTed request, and reports every server request that arrives on it: the server
// sends a request there only when it belongs to the POSTed one (e.g. an elicitation during a tool call).
// See call-tracker.ts for why the SDK's own parsing cannot tell us this.
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isPlainObject } from '../plain-object.js';

export type RelatedRequestListener = (serverRequestId: RequestId, clientRequestId: RequestId) => void;

export function tapRelatedRequests(base: FetchLike, onRelated: RelatedRequestListener): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    const clientRequestId = init?.method === 'POST' ? requestIdOf(init.body) : undefined;
    const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (clientRequestId === undefined || type !== 'text/event-stream' || !response.body) return response;
    const body = response.body.pipeThrough(
      eventTap((data) => {
        const id = serverRequestIdOf(data);
        if (id !== undefined) onRelated(id, clientRequestId);
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function requestIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const message: unknown = JSON.parse(body);
    return isRequest(message) ? message.id : undefined;
  } catch {
    return undefined;
  }
}

function serverRequestIdOf(data: string): RequestId | undefined {
  try {
    const message: unknown = JSON.parse(data);
    return isRequest(message) ? message.id : undefined;
  } catch {
    return undefined;
  }
}

function isRequest(value: unknown): value is { id: RequestId; method: string } {
  if (!isPlainObject(value)) return false;
  const { id, method } = value;
  return typeof method === 'string' && (typeof id === 'string' || typeof id === 'number');
}

/**
 * Passes bytes through unchanged; calls `onData` with each complete event's data first, so a listener
 * has seen an event before the SDK's parser, further down the stream, does.
 */
export function eventTap(onData: (data: string) => void): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let buffer = '';
  const drain = (final: boolean) => {
    // A \r at the very end may be half of a \r\n still on its way: keep it for the next chunk.
    const cut = !final && buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const text = buffer.slice(0, cut).replace(/\r\n?/g, '\n');
    const events = text.split('\n\n');
    const rest = final ? '' : (events.pop() ?? '');
    buffer = rest + buffer.slice(cut);
    for (const event of events) {
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''));
      if (data.length > 0) onData(data.join('\n'));
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      drain(false);
      controller.enqueue(chunk);
    },
    flush() {
      buffer += decoder.decode();
      drain(true);
    },
  });
}
