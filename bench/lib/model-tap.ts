// A loopback pass-through between the bot and the fake Anthropic API (the bot's ANTHROPIC_BASE_URL
// points here). The fake records request bodies but not when it answered, so the tap timestamps
// every Messages call on the wire: when it arrived, when the first text delta went back, when the
// response ended; plus the request's size, the prompt usage the response reports (input, cache read,
// cache written) and the bench tag ([bench:...]) of the thread it serves.
// Bytes pass through untouched; the cost is one extra loopback hop (well under a millisecond).
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TappedCall {
  path: string;
  /** The first [bench:...] tag in the request body (the thread's first question), if any. */
  tag: string | undefined;
  /** Date.now() when the request reached the tap (comparable with the fake Slack API's `at`). */
  arrivedAt: number;
  /** Date.now() when the first SSE chunk holding a text_delta passed back through the tap. */
  firstTextAt?: number;
  /** Date.now() when the response ended. */
  endAt?: number;
  requestBytes: number;
  status?: number;
  /** The prompt's usage as the response's message_start reported it (streamed calls). */
  usage?: { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
}

export interface ModelTap {
  url: string;
  calls: TappedCall[];
  /** Calls of one bench tag, Messages calls only (count_tokens and others left out). */
  messagesFor(tag: string): TappedCall[];
  close(): Promise<void>;
}

const TAG = /\[bench:([^\]\s]+)\]/;
const TEXT_DELTA = /"type":\s*"text_delta"/;
const USAGE = /"message_start"[\s\S]*?"input_tokens":\s*(\d+)[\s\S]*?"cache_creation_input_tokens":\s*(\d+)[\s\S]*?"cache_read_input_tokens":\s*(\d+)|"message_start"[\s\S]*?"input_tokens":\s*(\d+)[\s\S]*?"cache_read_input_tokens":\s*(\d+)[\s\S]*?"cache_creation_input_tokens":\s*(\d+)/;

export async function startModelTap(target: string): Promise<ModelTap> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const calls: TappedCall[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench tap: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const body = Buffer.concat(parts);
    const call: TappedCall = {
      path: (req.url ?? '/').split('?')[0] ?? '/',
      tag: TAG.exec(body.toString('utf8'))?.[1],
      arrivedAt,
      requestBytes: body.length,
    };
    calls.push(call);
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    await new Promise<void>((resolve, reject) => {
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
        (upRes) => {
          call.status = upRes.statusCode;
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.flushHeaders();
          let tail = '';
          let head = '';
          upRes.on('data', (chunk: Buffer) => {
            if (call.usage === undefined && head.length < 8192) {
              head += chunk.toString('utf8');
              const m = USAGE.exec(head);
              if (m) {
                const [input, write, read] = m[1] !== undefined ? [m[1], m[2], m[3]] : [m[4], m[6], m[5]];
                call.usage = { inputTokens: Number(input), cacheReadTokens: Number(read), cacheWriteTokens: Number(write) };
              }
            }
            if (call.firstTextAt === undefined) {
              const text = tail + chunk.toString('utf8');
              if (TEXT_DELTA.test(text)) call.firstTextAt = Date.now();
              tail = text.slice(-64); // a marker split across two chunks is still found
            }
            res.write(chunk);
          });
          upRes.once('end', () => {
            call.endAt = Date.now();
            res.end();
            resolve();
          });
          upRes.once('error', reject);
        },
      );
      up.once('error', reject);
      up.end(body);
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    messagesFor: (tag) => calls.filter((c) => c.tag === tag && c.path === '/v1/messages'),
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
