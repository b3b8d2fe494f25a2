// How we reach a server. Only this file and remote-transport.ts know transport kinds: the session,
// supervision and hub above them see an OpenedTransport whatever carries it.
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LineTail } from './line-tail.js';
import { openRemote } from './remote-transport.js';
import type { RelatedRequestListener } from './sse-tap.js';
import type { ServerConfig, StdioServerConfig } from './types.js';

export type TransportKind = 'stdio' | 'http' | 'sse';

export interface TransportObserver {
  /** One line of the server's diagnostic output (stderr for local servers). */
  onDiagnostic: (line: string) => void;
  /** A server request arrived on the response stream of one of our requests (Streamable HTTP only). */
  onRelatedRequest: RelatedRequestListener;
}

export interface OpenedTransport {
  transport: Transport;
  kind: TransportKind;
  /**
   * The local process, when there is one, from spawn on (also once the transport has let go of it),
   * for /healthz and to make sure it is gone after close.
   */
  pid(): number | undefined;
  /** The server's recent diagnostic output (stderr for local servers), oldest first. */
  diagnostics(count?: number): string[];
  /** Resolves once the diagnostic output has been read to its end, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  /** Ends the server-side session politely (Streamable HTTP's DELETE), where the transport has one. */
  terminate?(): Promise<void>;
  /**
   * What was started or reached, for logs and messages: the command (never its arguments, which may
   * carry expanded secrets) or the URL's origin and path (never its query).
   */
  label: string;
}

/** Opens `config` over `kind`; remote configs take 'http' or 'sse', stdio configs 'stdio'. */
export function openTransport(config: ServerConfig, kind: TransportKind, observer: TransportObserver, authProvider?: OAuthClientProvider): OpenedTransport {
  if (config.kind === 'stdio') return openStdio(config, observer.onDiagnostic);
  if (kind === 'stdio') throw new Error(`"${config.name}" is a remote server; it has no stdio transport`);
  return openRemote(config, kind, observer.onRelatedRequest, authProvider);
}

/** Remembers the pid: the SDK forgets it as soon as it starts closing, even before the process is gone. */
class TrackedStdioTransport extends StdioClientTransport {
  spawnedPid: number | undefined;

  override async start(): Promise<void> {
    await super.start();
    this.spawnedPid = this.pid ?? undefined;
  }
}

function openStdio(config: StdioServerConfig, onDiagnostic: (line: string) => void): OpenedTransport {
  const transport = new TrackedStdioTransport({
    command: config.command,
    args: config.args,
    // The SDK's safe defaults (PATH, HOME, ...) plus what the entry names: never the bot's own
    // process.env, which holds the Slack and Anthropic secrets.
    env: { ...getDefaultEnvironment(), ...config.env },
    ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
    // Piped, not inherited: a server's chatter stays out of the bot's structured log stream.
    stderr: 'pipe',
  });
  const tail = new LineTail();
  const stderr = transport.stderr;
  let ended: Promise<void> = Promise.resolve();
  if (stderr) {
    ended = new Promise((resolve) => {
      stderr.once('end', resolve);
      stderr.once('close', resolve);
    });
    // Always consumed: an unread pipe fills up and blocks the server on its next write.
    stderr.on('data', (chunk: Buffer | string) => {
      for (const line of tail.push(chunk.toString())) onDiagnostic(line);
    });
  }
  return {
    transport,
    kind: 'stdio',
    pid: () => transport.spawnedPid,
    diagnostics: (count) => tail.tail(count),
    drained: (timeoutMs) =>
      Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]),
    label: config.command,
  };
}
