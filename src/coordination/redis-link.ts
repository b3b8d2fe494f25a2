// The coordinator's own Redis connection (not the one Keyv's adapter keeps, whose failures Keyv
// turns into "no value" unless told to throw). Two choices make failures visible instead of silent:
// - no offline queue: while the connection is down, a command fails at once with a clear error
//   instead of waiting, unseen, for Redis to come back;
// - a deadline on every command, for a connection that hangs rather than closes.
// The client reconnects on its own (capped backoff) once it has been connected; the first connect
// gives up after a few tries so a wrong STORE_URL fails the start instead of hanging it.
import { createClient } from '@keyv/redis';
import { silentLogger, type Logger } from '../log.js';
import { CoordinationUnavailableError, messageOf } from './errors.js';

/** What the claims and locks need from Redis: scripts, with failures as CoordinationUnavailableError. */
export interface RedisLink {
  eval(what: string, script: string, keys: string[], args: string[]): Promise<unknown>;
  /** Closes the connection; commands after it fail. Safe to call twice. */
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  logger?: Logger;
  /** How long one command may take before it counts as a failure. */
  commandTimeoutMs?: number;
  /** Connection attempts at start before giving up. */
  connectAttempts?: number;
}

const RECONNECT_CAP_MS = 2000;

export async function connectRedis(url: string, options: RedisLinkOptions = {}): Promise<RedisLink> {
  const log = options.logger ?? silentLogger;
  const commandTimeoutMs = options.commandTimeoutMs ?? 5000;
  const connectAttempts = options.connectAttempts ?? 3;
  let everReady = false;
  let down = false;

  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: commandTimeoutMs,
      reconnectStrategy: (retries: number, cause: Error) => {
        if (!everReady && retries + 1 >= connectAttempts) return cause; // an Error: give up, connect() rejects
        return Math.min(100 * 2 ** retries, RECONNECT_CAP_MS);
      },
    },
  });
  // An 'error' with no listener would crash the process; log the first of each outage only.
  client.on('error', (error: unknown) => {
    if (down || !everReady) return;
    down = true;
    log.warn('coordination: lost the Redis connection; reconnecting', { error: messageOf(error) });
  });
  client.on('ready', () => {
    if (down) log.info('coordination: Redis connection back');
    down = false;
    everReady = true;
  });

  try {
    await client.connect();
  } catch (error) {
    try {
      client.destroy();
    } catch {
      // already closed by the failed connect
    }
    throw new CoordinationUnavailableError(`could not connect to ${redactUrl(url)}: ${messageOf(error)}`, { cause: error });
  }

  let closed = false;
  return {
    async eval(what, script, keys, args) {
      if (closed) throw new CoordinationUnavailableError(`${what}: the connection is closed`);
      try {
        return await withDeadline(client.eval(script, { keys, arguments: args }), commandTimeoutMs);
      } catch (error) {
        throw new CoordinationUnavailableError(`${what}: ${messageOf(error)}`, { cause: error });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // close() lets commands in flight finish; destroy() is for a client that is reconnecting.
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
    },
  };
}

/** Rejects if the command has not answered in time; its late answer (or error) is then ignored. */
function withDeadline<T>(command: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  // Promise.race subscribes to both, so a rejection that comes after the deadline is handled.
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}

/** Never log a password that a redis://user:password@host URL carries. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the Redis URL';
  }
}
