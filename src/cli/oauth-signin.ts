// The terminal chat's OAuth sign-in, as desktop MCP clients do it: the callback is a page on a local
// port (127.0.0.1, chosen by the system), the sign-in URL is opened in the browser when the chat runs
// in a terminal (and always printed, so it works without one), and once the browser lands on the
// callback the server's tools are offered from the next query on. The chat keeps tokens in memory
// only (its store is memory://): each run signs in again. The callback page is src/oauth/callback.ts,
// the same as the bot's.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Person, ToolProvider } from '../mcp/index.js';
import { callbackHandler } from '../oauth/callback.js';
import { createSealer } from '../oauth/seal.js';
import { CALLBACK_PATH } from '../oauth/settings.js';
import { createStates } from '../oauth/states.js';
import type { Store } from '../store.js';

/** The one person of a terminal chat. */
export const CHAT_PERSON: Person = { teamId: 'cli', userId: 'cli' };

export interface ChatHub {
  oauthServers(): string[];
  isConnected(person: Person, server: string): Promise<boolean>;
  signInUrl(person: Person, server: string, state: string): Promise<string | undefined>;
  finishSignIn(person: Person, server: string, code: string, state: string): Promise<void>;
  forPerson(person: Person): Promise<{ tools: ToolProvider }>;
}

export interface LocalCallback {
  /** `http://127.0.0.1:<port>`: the chat's PUBLIC_URL. */
  publicUrl: string;
  /** A key for sealing records in memory when TOKEN_ENCRYPTION_KEY is not set. */
  key: Buffer;
  /** Prints (and opens) the sign-in of each OAuth server not connected yet; the callback then says "Connected". */
  signIn(hub: ChatHub, store: Store, write: (text: string) => void): Promise<void>;
  close(): Promise<void>;
}

export async function listenForCallback(logger: Logger, key: Buffer | undefined, openBrowser: boolean): Promise<LocalCallback> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  const sealKey = key ?? randomBytes(32);
  return {
    publicUrl: `http://127.0.0.1:${port}`,
    key: sealKey,
    async signIn(hub, store, write) {
      const servers = hub.oauthServers();
      if (servers.length === 0) return;
      const states = createStates(store, createSealer(sealKey));
      const handle = callbackHandler({
        states,
        finish: (binding, code, state) => hub.finishSignIn(CHAT_PERSON, binding.server, code, state),
        then: async (binding) => {
          const tools = (await hub.forPerson(CHAT_PERSON)).tools.listTools().filter((t) => t.server === binding.server);
          // On a line of its own: the prompt may be waiting.
          write(`\nConnected to ${binding.server} (${tools.length} tools): ${tools.map((t) => t.name).join(', ')}\n`);
        },
        logger,
      });
      server.on('request', (req, res) => {
        if (req.method === 'GET' && new URL(req.url ?? '/', 'http://localhost').pathname === CALLBACK_PATH) return handle(req, res);
        res.writeHead(404).end();
      });
      for (const name of servers) {
        if (await hub.isConnected(CHAT_PERSON, name)) continue;
        try {
          const url = await hub.signInUrl(CHAT_PERSON, name, await states.create({ ...CHAT_PERSON, server: name }));
          if (url === undefined) continue;
          write(`${name} needs you to sign in; its tools are offered once you have. Open:\n  ${url}\n`);
          if (openBrowser) open(url);
        } catch (error) {
          write(`Could not start the sign-in to ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The system's URL opener; a missing one (no xdg-open on a server) is fine: the URL is printed. */
function open(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}
