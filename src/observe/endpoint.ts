// GET /metrics in the Prometheus text format: a route beside /healthz on PORT (METRICS_PORT unset),
// or a listener of its own (METRICS_PORT=<port>), so the metrics need not be public next to
// /slack/events. prom-client writes the text (registry.metrics()); nothing here formats it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

/** Answers a scrape with every metric of the registry. */
export function serveScrape(registry: Registry, res: ServerResponse): void {
  registry.metrics().then(
    (text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
    (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`could not collect the metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    },
  );
}

/** The route for Bolt's receivers (customRoutes), beside /healthz. */
export function metricsRoute(registry: Registry) {
  return { path: METRICS_PATH, method: ['GET'], handler: (_req: IncomingMessage, res: ServerResponse) => serveScrape(registry, res) };
}

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** /metrics on a port of its own (METRICS_PORT; 0 in tests: any free port); every other path is 404. */
export async function listenForScrapes(registry: Registry, port: number, host?: string): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === METRICS_PATH && (req.method === 'GET' || req.method === 'HEAD')) return serveScrape(registry, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not found: this port serves GET ${METRICS_PATH} only\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
