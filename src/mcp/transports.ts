// How we reach a server. Only this file knows transport kinds: a remote (Streamable HTTP / SSE)
// transport is one more case here, and the session, supervision and hub above it stay as they are.
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LineTail } from './line-tail.js';
import type { ServerConfig, StdioServerConfig } from './types.js';

export interface OpenedTransport {
  transport: Transport;
  /**
   * The local process, when there is one, from spawn on (also once the transport has let go of it),
   * for /healthz and to make sure it is gone after close.
   */
  pid(): number | undefined;
  /** The server's recent diagnostic output (stderr for local servers), oldest first. */
  diagnostics(count?: number): string[];
  /** Resolves once the diagnostic output has been read to its end, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  /** What was started, for logs: the command (never its arguments, which may carry expanded secrets). */
  label: string;
}

export function openTransport(config: ServerConfig, onDiagnostic: (line: string) => void): OpenedTransport {
  switch (config.kind) {
    case 'stdio':
      return openStdio(config, onDiagnostic);
    case 'remote':
      throw new Error('remote servers (url) are not supported yet');
  }
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
    pid: () => transport.spawnedPid,
    diagnostics: (count) => tail.tail(count),
    drained: (timeoutMs) =>
      Promise.race([ended, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]),
    label: config.command,
  };
}
