// Fires a batch of signed POSTs at once and times each from send to HTTP response (headers in),
// either from this thread with fetch (sharing the event loop with the bot, as the harness does) or
// from a worker thread with a loop of its own and node:http, which is closer to Slack: a client that
// is not slowed down by the bot's own work. The worker is plain JavaScript (eval), so it needs no
// TypeScript loader.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { TEST_SIGNING_SECRET } from '../../test/helpers/bot-harness.js';
import { signRequest, type EventEnvelope } from '../../test/helpers/sign.js';

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface TimedResponse {
  status: number;
  ms: number;
  error?: string;
}

export function signedEvent(url: string, envelope: EventEnvelope): SignedRequest {
  const body = JSON.stringify(envelope);
  return { url, body, headers: { 'content-type': 'application/json', ...signRequest(TEST_SIGNING_SECRET, body) } };
}

async function timedPost(request: SignedRequest): Promise<TimedResponse> {
  const started = performance.now();
  try {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const ms = performance.now() - started;
    await response.arrayBuffer();
    return { status: response.status, ms };
  } catch (error) {
    return { status: 0, ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

/** All at once from this thread. */
export function fireHere(requests: SignedRequest[]): Promise<TimedResponse[]> {
  return Promise.all(requests.map(timedPost));
}

// The worker sends with node:http, not fetch: fetch (undici) alone costs a 40-request burst ~15 ms at
// p50 and ~40 ms at p99 on a 2-core machine (measured against a server that answers at once), which
// would hide the server's own time. Each burst opens its own connections (one per request, no
// socket limit) and closes them after: a connection kept between bursts can meet the server's 5 s
// keep-alive timeout mid-request (ECONNRESET), and Slack cannot count on the bot's sockets either.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const http = require('node:http');
function timedPost(request, agent) {
  return new Promise((resolve) => {
    const started = performance.now();
    const url = new URL(request.url);
    const body = Buffer.from(request.body);
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...request.headers, 'content-length': body.length } },
      (res) => {
        const ms = performance.now() - started;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode || 0, ms }));
        res.on('error', (error) => resolve({ status: 0, ms, error: String(error && error.message || error) }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, ms: performance.now() - started, error: String(error && error.message || error) }));
    req.end(body);
  });
}
parentPort.on('message', async (requests) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const results = await Promise.all(requests.map((request) => timedPost(request, agent)));
  agent.destroy();
  parentPort.postMessage(results);
});
`;

export interface WorkerClient {
  /** All at once from the worker's thread. */
  fire(requests: SignedRequest[], timeoutMs: number): Promise<TimedResponse[]>;
  close(): Promise<void>;
}

export function startWorkerClient(): WorkerClient {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  return {
    fire(requests, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`worker client: no answer after ${timeoutMs} ms`));
        }, timeoutMs);
        const onMessage = (results: TimedResponse[]) => {
          cleanup();
          resolve(results);
        };
        const onError = (error: Error) => {
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(requests);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
