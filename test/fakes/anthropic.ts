// A fake Anthropic Messages API for tests: an HTTP server on 127.0.0.1 that the real SDK talks to
// (`new Anthropic({ apiKey, baseURL: fake.url })`, or `fake.client()`). POST /v1/messages answers in
// plain JSON or server-sent events; POST /v1/messages/count_tokens gives a close estimate; GET
// /v1/models and /v1/models/{model_id} list and describe the models it knows (anthropic-models.ts).
// Requests are checked as strictly as the real API does (see anthropic-validate.ts) and refused with
// 400 invalid_request_error; a model id it does not know is 404 not_found_error, on every endpoint.
// The answers come from a script the test gives:
//
//   const fake = await startFakeAnthropic();
//   fake.script((request, call) => (call === 0 ? fake.reply.tools([{ name: 'echo', input: {} }]) : fake.reply.text('done')));
//
// Every request is recorded (parsed body), every accepted Messages call in `calls`, every refusal in
// `rejections`, so a test can assert that nothing it sent was invalid.
import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import { FakePromptCache, type PromptUsage } from './anthropic-cache.js';
import { formatSse, renderMessage, renderStream } from './anthropic-render.js';
import { errorTypeOf, reply, statusOfErrorType, type ReplySpec } from './anthropic-reply.js';
import { isKnownModel, KNOWN_MODELS, modelInfo } from './anthropic-models.js';
import { countRequestTokens } from './anthropic-tokens.js';
import { requestProblem } from './anthropic-validate.js';

export { reply, type FakeBlock, type ReplySpec, type ToolCallSpec } from './anthropic-reply.js';

export type MessagesRequest = Omit<Anthropic.MessageCreateParamsNonStreaming, 'stream'> & { stream?: boolean };
export type Script = (request: MessagesRequest, callIndex: number) => ReplySpec | Promise<ReplySpec>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  status: number;
}

export interface Rejection {
  path: string;
  status: number;
  type: string;
  message: string;
  body: unknown;
}

export interface FakeAnthropic {
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Accepted POST /v1/messages bodies; the index is the script's callIndex. */
  calls: MessagesRequest[];
  /** Requests refused as invalid (and script mistakes, as 500s). Empty in a clean test. */
  rejections: Rejection[];
  reply: typeof reply;
  /** A function of (request, callIndex), or a list of replies taken in order. */
  script(script: Script | ReplySpec[]): void;
  /** A real SDK client pointed at the fake (maxRetries 0 unless given). */
  client(options?: ClientOptions): Anthropic;
  close(): Promise<void>;
}

export const FAKE_API_KEY = 'sk-ant-fake-key';

export async function startFakeAnthropic(options: { script?: Script | ReplySpec[] } = {}): Promise<FakeAnthropic> {
  let script: Script = toScript(options.script ?? []);
  const requests: RecordedRequest[] = [];
  const calls: MessagesRequest[] = [];
  const cache = new FakePromptCache();
  const rejections: Rejection[] = [];

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', `fake: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, status: 0 };
    requests.push(record);
    const refuse = (status: number, type: string, message: string) => {
      record.status = status;
      rejections.push({ path, status, type, message, body });
      sendError(res, status, type, message);
    };

    const modelPath = /^\/v1\/models(?:\/([^/]+))?$/.exec(path);
    const endpoint = path === '/v1/messages' ? 'messages' : path === '/v1/messages/count_tokens' ? 'count_tokens' : undefined;
    const known = (req.method === 'POST' && endpoint) || (req.method === 'GET' && modelPath);
    if (!known) return refuse(404, 'not_found_error', `Not found: ${req.method} ${path}`);
    if (!req.headers['x-api-key'] && !req.headers.authorization) return refuse(401, 'authentication_error', 'x-api-key header is required');
    const apiVersion = req.headers['anthropic-version'];
    if (typeof apiVersion !== 'string' || apiVersion === '') return refuse(400, 'invalid_request_error', 'anthropic-version: header is required');

    if (modelPath) {
      // GET /v1/models/{model_id} and GET /v1/models (one page holds them all: has_more false).
      const id = modelPath[1] === undefined ? undefined : decodeURIComponent(modelPath[1]);
      if (id !== undefined && !isKnownModel(id)) return refuse(404, 'not_found_error', `model: ${id}`);
      record.status = 200;
      if (id !== undefined) return sendJson(res, 200, modelInfo(id));
      return sendJson(res, 200, { data: KNOWN_MODELS.map(modelInfo), has_more: false, first_id: KNOWN_MODELS[0] ?? null, last_id: KNOWN_MODELS.at(-1) ?? null });
    }

    if (!endpoint) return refuse(404, 'not_found_error', `Not found: ${req.method} ${path}`);
    if (body === undefined) return refuse(400, 'invalid_request_error', 'The request body is not valid JSON.');
    const problem = requestProblem(body, endpoint, apiVersion);
    if (problem) return refuse(400, 'invalid_request_error', problem);
    const model = (body as { model: string }).model;
    if (!isKnownModel(model)) return refuse(404, 'not_found_error', `model: ${model}`);

    const request = body as MessagesRequest;
    const inputTokens = countRequestTokens(body as Record<string, unknown>);
    if (endpoint === 'count_tokens') {
      record.status = 200;
      return sendJson(res, 200, { input_tokens: inputTokens });
    }

    const callIndex = calls.length;
    calls.push(request);
    let spec: ReplySpec;
    try {
      spec = await script(request, callIndex);
    } catch (error) {
      // Not retryable, so a script mistake shows up at once instead of after the SDK's retries.
      res.setHeader('x-should-retry', 'false');
      return refuse(500, 'api_error', `fake script failed at call ${callIndex}: ${error instanceof Error ? error.message : String(error)}`);
    }
    record.status = await answer(res, spec, request, callIndex, cache.account(body as Record<string, unknown>));
  }

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    calls,
    rejections,
    reply,
    script(next) {
      script = toScript(next);
    },
    client(clientOptions = {}) {
      return new Anthropic({ apiKey: FAKE_API_KEY, baseURL: url, maxRetries: 0, ...clientOptions });
    },
    async close() {
      // Hanging replies keep their sockets open; end them so close() returns.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toScript(script: Script | ReplySpec[]): Script {
  if (typeof script === 'function') return script;
  return (_request, callIndex) => {
    const spec = script[callIndex];
    if (!spec) throw new Error(`the script has no reply for call ${callIndex} (it has ${script.length})`);
    return spec;
  };
}

/** Writes the reply; returns the HTTP status sent (0 for a hang before headers). */
async function answer(res: ServerResponse, spec: ReplySpec, request: MessagesRequest, callIndex: number, prompt: PromptUsage): Promise<number> {
  if (spec.kind === 'error') {
    if (spec.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(spec.retryAfterSeconds));
    if (spec.retryAfterMs !== undefined || spec.retryAfterSeconds === undefined) res.setHeader('retry-after-ms', String(spec.retryAfterMs ?? 1));
    sendError(res, spec.status, spec.type ?? errorTypeOf(spec.status), spec.message ?? `fake ${spec.status}`);
    return spec.status;
  }
  if (spec.kind === 'hang') {
    if (spec.afterText === undefined) return 0; // the socket stays open until the client gives up or close()
    const message = renderMessage(reply.text(spec.afterText), request.model, callIndex, prompt);
    const events = renderStream(message, reply.text(spec.afterText)).filter((e) => e.event !== 'content_block_stop' && e.event !== 'message_delta' && e.event !== 'message_stop');
    startSse(res, callIndex);
    for (const event of events) res.write(formatSse(event));
    return 200;
  }

  const message = renderMessage(spec, request.model, callIndex, prompt);
  if (!request.stream) {
    if (spec.streamError) {
      const status = statusOfErrorType(spec.streamError.type);
      sendError(res, status, spec.streamError.type, spec.streamError.message);
      return status;
    }
    if (spec.stream?.durationMs) await sleep(spec.stream.durationMs);
    sendJson(res, 200, message, { 'request-id': `req_fake_${callIndex}` });
    return 200;
  }
  const events = renderStream(message, spec);
  const deltas = events.filter((e) => e.event === 'content_block_delta').length;
  const pause = spec.stream?.durationMs && deltas > 0 ? spec.stream.durationMs / deltas : 0;
  startSse(res, callIndex);
  for (const event of events) {
    if (res.destroyed) break;
    if (pause > 0 && event.event === 'content_block_delta') await sleep(pause);
    res.write(formatSse(event));
  }
  res.end();
  return 200;
}

function startSse(res: ServerResponse, callIndex: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': `req_fake_${callIndex}` });
  res.flushHeaders();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: 'req_fake_error' }, { 'request-id': 'req_fake_error' });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
