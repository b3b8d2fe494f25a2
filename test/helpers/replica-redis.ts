// Redis for the coordination tests: the shared server (REDIS_URL, default 127.0.0.1:6379; the test
// runner starts one if none listens, and a test that needs it fails when it is missing), a unique
// key prefix per test so runs never see each other's keys, clean-up of only those keys, and a TCP
// proxy that can cut the connection and refuse new ones, to play "Redis went away / came back".
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createClient } from '@keyv/redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh marker for this test's keys, e.g. "t3f9a1c2e": key prefixes, channel ids, event ids. */
export function runId(): string {
  return 't' + randomBytes(5).toString('hex');
}

function plainClient() {
  return createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
}

/** Runs fn with a plain client of the shared Redis (fails the test if Redis is not there). */
export async function withRedis<T>(fn: (client: ReturnType<typeof plainClient>) => Promise<T>): Promise<T> {
  const client = plainClient();
  client.on('error', () => {}); // the failed connect rejects; that is what the test sees
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Deletes every key containing `marker` (and only those): what one test run wrote. */
export function deleteKeysWith(marker: string): Promise<number> {
  return withRedis(async (client) => {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: `*${marker}*`, COUNT: 500 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  });
}

export interface RedisProxy {
  url: string;
  /** Cuts every connection and refuses new ones, as a Redis that went away. */
  down(): void;
  /** Accepts connections again. */
  up(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the shared Redis. */
export async function startRedisProxy(): Promise<RedisProxy> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<net.Socket>();
  let accepting = true;
  const server = net.createServer((client) => {
    if (!accepting) return void client.destroy();
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    down() {
      accepting = false;
      cutAll();
    },
    up() {
      accepting = true;
    },
    async close() {
      accepting = false;
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
