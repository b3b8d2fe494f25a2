// WORKERS > 1 (HTTP mode): this process is the primary. It starts the workers (this same program,
// each a whole bot on a private port of 127.0.0.1: its own MCP servers, Slack client and turns,
// sharing the store), listens on PORT itself, and passes each request on to one worker: a thread's
// events always to that thread's worker (route.ts), everything else in turn. GET /healthz asks every
// worker. SIGTERM or SIGINT stops taking requests and tells every worker to stop (over IPC, not a
// signal: a service manager that signals the whole group, or Ctrl-C, already gave each worker its
// first signal, and a second one would end it without draining); each worker drains its answers as
// one process does, and the primary exits once all have. A worker that dies is started
// again (with backoff); its threads get 503 meanwhile, so Slack sends their events again later.
//
// Why a routing primary and not node:cluster's shared port: cluster hands each *connection* to a
// worker before a byte is read, so a thread's twin events would meet in two processes and race in
// the sqlite inbox, which orders and dedupes a thread within one process. Passing requests on by
// hand (node:http, a keep-alive agent per worker) is the few lines below; no maintained library
// routes by a field of the body.
import { fork, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { workerForBody } from './route.js';

/** What a worker tells the primary over IPC once it is ready (main.ts sends it). */
export interface WorkerReady {
  type: 'worker-ready';
  port: number;
}

/**
 * What a worker tells the primary once its store and inbox are open. The primary starts the first
 * worker alone until then: two processes creating a new sqlite file at once (WAL mode, tables) can
 * get SQLITE_BUSY, and once the file exists the others only read its settings.
 */
export interface WorkerStorageOpen {
  type: 'worker-storage-open';
}

/** What the primary tells a worker over IPC to stop it as SIGTERM would. */
export const STOP_MESSAGE = { type: 'stop' } as const;

/** The environment that makes a started copy of the program a worker (main.ts reads it). */
export const WORKER_INDEX_VAR = 'BOT_WORKER_INDEX';
export const WORKER_COUNT_VAR = 'BOT_WORKER_COUNT';

export interface PrimaryOptions {
  count: number;
  port: number;
  logger: Logger;
  /** Aborted at the first SIGTERM or SIGINT. */
  stop: AbortSignal;
  /** The program and its arguments, as this process was started. */
  entry?: string;
}

/** Largest request body passed on (Slack's are a few KB; this only bounds memory). */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A worker up this long is healthy again: its next restart waits RESTART_FIRST_MS. */
const STABLE_MS = 60_000;
const HEALTH_TIMEOUT_MS = 2000;
/** A worker still running this long after it was told to stop is killed (its drain takes up to ~15 s). */
const STOP_KILL_MS = 30_000;

interface Worker {
  index: number;
  child?: ChildProcess;
  port?: number;
  agent: http.Agent;
  startedAt: number;
  restartDelayMs: number;
}

/** Resolves with the exit status: 0 after a stop, the worker's status if one could not start. */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { count, logger, stop } = options;
  const entry = options.entry ?? process.argv[1] ?? '';
  const workers: Worker[] = Array.from({ length: count }, (_, index) => ({ index, agent: new http.Agent({ keepAlive: true }), startedAt: 0, restartDelayMs: RESTART_FIRST_MS }));
  let stopping = false;
  let turn = 0;
  let startFailure: ((code: number) => void) | undefined;
  const exits = new Set<Promise<void>>();

  const spawnWorker = (worker: Worker, onReady?: () => void, onStorageOpen?: () => void) => {
    const child = fork(entry, process.argv.slice(2), {
      env: { ...process.env, [WORKER_INDEX_VAR]: String(worker.index), [WORKER_COUNT_VAR]: String(count) },
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    worker.child = child;
    worker.port = undefined;
    worker.startedAt = Date.now();
    child.on('message', (message: Partial<WorkerReady> | WorkerStorageOpen) => {
      if (message.type === 'worker-storage-open') onStorageOpen?.();
      if (message.type !== 'worker-ready' || typeof message.port !== 'number') return;
      worker.port = message.port;
      logger.info('worker ready', { worker: worker.index, pid: child.pid, port: message.port });
      onReady?.();
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exits.delete(exited);
        resolve();
        const wasReady = worker.port !== undefined;
        worker.child = undefined;
        worker.port = undefined;
        if (stopping) return;
        if (!wasReady && startFailure) {
          startFailure(code ?? 1);
          return;
        }
        if (Date.now() - worker.startedAt >= STABLE_MS) worker.restartDelayMs = RESTART_FIRST_MS;
        logger.error('worker exited; starting it again', { worker: worker.index, code, signal, inMs: worker.restartDelayMs });
        setTimeout(() => {
          if (!stopping) spawnWorker(worker);
        }, worker.restartDelayMs).unref();
        worker.restartDelayMs = Math.min(worker.restartDelayMs * 2, RESTART_MAX_MS);
      });
    });
    exits.add(exited);
  };

  const stopWorkers = async () => {
    stopping = true;
    for (const worker of workers) {
      const child = worker.child;
      if (!child?.connected) child?.kill('SIGTERM');
      else child.send(STOP_MESSAGE, (error) => error && child.kill('SIGTERM'));
    }
    const kill = setTimeout(() => workers.forEach((worker) => worker.child?.kill('SIGKILL')), STOP_KILL_MS);
    await Promise.all([...exits]);
    clearTimeout(kill);
    for (const worker of workers) worker.agent.destroy();
  };

  // Start every worker; the first that exits before it is ready fails the start (with its status:
  // 2 for a configuration problem it printed), and a stop meanwhile stops them all.
  const started = await new Promise<number | 'ready'>((resolve) => {
    let ready = 0;
    startFailure = (code) => resolve(code === 0 ? 1 : code);
    stop.addEventListener('abort', () => resolve(0), { once: true });
    const [first, ...others] = workers;
    const onReady = () => ++ready === count && resolve('ready');
    let othersStarted = false;
    const startOthers = () => {
      if (othersStarted || stop.aborted) return;
      othersStarted = true;
      for (const worker of others) spawnWorker(worker, onReady);
    };
    if (first) spawnWorker(first, onReady, startOthers);
  });
  startFailure = undefined;
  if (started !== 'ready') {
    await stopWorkers();
    return started;
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      void health(workers).then(({ status, body }) => send(res, status, body));
      return;
    }
    void readBody(req).then(
      (body) => {
        if (!body) {
          send(res, 413, { error: 'request body too large' });
          return;
        }
        const chosen = workerForBody(body, req.headers['content-type'], count) ?? turn++ % count;
        pass(req, body, res, workers[chosen]);
      },
      () => res.destroy(), // the client went away
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve());
  });
  logger.info('primary listening', { port: (server.address() as AddressInfo).port, workers: count });
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  logger.info('stopping workers', { workers: count });
  // No new connections; idle keep-alive ones are closed, requests under way finish.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await Promise.all([stopWorkers(), closed]);
  logger.info('stopped');
  return 0;
}

/** The whole body; undefined when it is larger than MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.removeListener('data', onData);
      req.resume();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Passes the request on, unchanged (Slack's signature covers the body and two headers), and the answer back. */
function pass(req: IncomingMessage, body: Buffer, res: ServerResponse, worker: Worker | undefined): void {
  if (!worker?.port) {
    send(res, 503, { error: 'this request\'s worker is starting again; retry shortly' });
    return;
  }
  const upstream = http.request(
    { host: '127.0.0.1', port: worker.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(body.length) }, agent: worker.agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) send(res, 502, { error: 'the worker did not answer' });
    else res.destroy();
  });
  upstream.end(body);
}

/** 200 when every worker answers 200; the body lists each worker's own /healthz. */
async function health(workers: Worker[]): Promise<{ status: number; body: unknown }> {
  const each = await Promise.all(
    workers.map(async (worker) => {
      if (!worker.port) return { worker: worker.index, ready: false, state: 'starting' };
      try {
        const response = await fetch(`http://127.0.0.1:${worker.port}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
        const body = (await response.json()) as Record<string, unknown>;
        return { worker: worker.index, pid: worker.child?.pid, ...body, ready: response.status === 200 };
      } catch (error) {
        return { worker: worker.index, ready: false, state: 'no answer', error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const ready = each.every((w) => w.ready);
  return { status: ready ? 200 : 503, body: { ready, workers: each } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
