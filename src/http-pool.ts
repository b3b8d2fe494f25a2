// A keep-alive connection pool for one HTTP API the bot calls on every turn (Slack's Web API, the
// Anthropic API), as a fetch function the SDKs take. Node's global fetch keeps connections alive
// too, but drops an idle one after 4 s unless the server names a longer time (undici's default
// keepAliveTimeout), so a thread whose next turn comes a little later pays a new TLS handshake; and
// every client shares one global pool. Here each API gets a pool of its own (undici's Agent, the
// library behind Node's fetch: https://undici.nodejs.org/#/docs/api/Agent), with idle connections
// kept for `keepAliveMs` (or what the server allows, up to keepAliveMaxMs).
import { Agent, fetch as undiciFetch } from 'undici';

export interface PoolOptions {
  /** How long an idle connection is kept when the server names no time of its own. */
  keepAliveMs: number;
  /** The longest a server's Keep-Alive hint may keep an idle connection. */
  keepAliveMaxMs: number;
}

export const DEFAULT_POOL: PoolOptions = { keepAliveMs: 30_000, keepAliveMaxMs: 10 * 60_000 };

export interface Pool {
  fetch: typeof globalThis.fetch;
  /** Closes the idle connections (at shutdown, so they do not hold the process open). */
  close(): Promise<void>;
}

export function createPool(options: PoolOptions = DEFAULT_POOL): Pool {
  const agent = new Agent({ keepAliveTimeout: options.keepAliveMs, keepAliveMaxTimeout: options.keepAliveMaxMs });
  const pooled = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => undiciFetch(input, { ...init, dispatcher: agent });
  return {
    fetch: pooled as typeof globalThis.fetch,
    close: () => agent.close(),
  };
}
