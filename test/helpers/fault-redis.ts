// A TCP proxy in front of the shared test Redis (REDIS_URL, default 127.0.0.1:6379) that plays
// "Redis went away" and "Redis came back", and counts the connections it carries, so a test can
// tell when the bot's clients have reconnected instead of guessing with a sleep. Key clean-up and
// the shared Redis itself are test/helpers/replica-redis.ts's.
import net from 'node:net';
import { REDIS_URL } from './replica-redis.js';

export interface FaultRedisProxy {
  /** redis://127.0.0.1:<port>, to use as STORE_URL. */
  url: string;
  /** Connections open now that Redis has answered on (a client past its first reply). */
  answered(): number;
  /** Cuts every connection and refuses new ones. */
  down(): void;
  /** Accepts connections again. */
  up(): void;
  /** Resolves once `count` connections made after the last up() have had an answer from Redis. */
  reconnected(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Generation of up()/down() it was accepted in. */
  generation: number;
  answered: boolean;
}

export async function startFaultRedisProxy(): Promise<FaultRedisProxy> {
  const target = new URL(REDIS_URL);
  const links = new Set<Link>();
  const waiters = new Set<() => void>();
  let accepting = true;
  let generation = 0;
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };

  const server = net.createServer((client) => {
    if (!accepting) return void client.destroy();
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    const link: Link = { client, upstream, generation, answered: false };
    links.add(link);
    const end = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', () => {});
      socket.on('close', end);
    }
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (!link.answered) {
        link.answered = true;
        // The client reads this reply on a later turn of the event loop; count it once it can have.
        setImmediate(notify);
      }
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  const cutAll = () => {
    for (const link of [...links]) {
      link.client.destroy();
      link.upstream.destroy();
    }
    links.clear();
  };

  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    answered: () => [...links].filter((l) => l.answered).length,
    down() {
      accepting = false;
      generation++;
      cutAll();
    },
    up() {
      accepting = true;
      generation++;
    },
    reconnected(count, timeoutMs = 10_000) {
      const since = generation;
      const done = () => [...links].filter((l) => l.generation === since && l.answered).length >= count;
      if (done()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${[...links].filter((l) => l.generation === since && l.answered).length} of ${count} Redis clients came back within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close() {
      accepting = false;
      cutAll();
      for (const waiter of [...waiters]) waiter();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
