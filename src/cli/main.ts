// `npm run chat -- path/to/server.js` or `npm run chat -- --config mcp.json`: the classic MCP client
// tutorial's chat, on the same engine as the Slack bot. One conversation per run, kept in memory.
import { stdin, stdout, stderr } from 'node:process';
import readline from 'node:readline/promises';
import dotenv from 'dotenv';
import { createAnthropicClient } from '../agent/anthropic-client.js';
import { requireKnownModel } from '../agent/model-check.js';
import { loadConfig, secretsOf } from '../config.js';
import { startEngine } from '../engine.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { resolveServers } from '../servers.js';
import { parseChatArgs, USAGE } from './args.js';
import { attachFiles } from './attached-files.js';
import { describeChatError } from './chat-errors.js';
import { TerminalSink } from './terminal-sink.js';
import { fileSaver } from './saved-files.js';
import { CHAT_PERSON, listenForCallback, type LocalCallback } from './oauth-signin.js';

const PROMPT = 'Query: ';

async function main(argv: string[]): Promise<number> {
  dotenv.config({ quiet: true });
  const args = parseChatArgs(argv);
  if (args.kind === 'help') {
    stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.kind === 'error') {
    stderr.write(`${args.message}\n${USAGE}\n`);
    return 2;
  }
  const env = { ...process.env, ...(args.config ? { MCP_CONFIG: args.config } : {}) };
  let config;
  try {
    config = loadConfig(env, { requireSlack: false });
  } catch (error) {
    return report(error);
  }
  if (!config.anthropic.apiKey) {
    stderr.write('ANTHROPIC_API_KEY is not set. Set it in the environment or in .env (see .env.example), then run npm run chat again.\n');
    return 2;
  }
  // Logs go to stderr (never stdout, where the conversation is) and only from warn up.
  const logger = createLogger({ level: config.logLevel === 'debug' ? 'debug' : 'warn', secrets: secretsOf(config) });
  let engine;
  let callback: LocalCallback;
  try {
    const servers = resolveServers(config.mcp, env, logger, args.script);
    // After the configuration is read, before the servers start: an unknown ANTHROPIC_MODEL exits 2.
    await requireKnownModel(createAnthropicClient(config.anthropic), config.anthropic.model, logger);
    // OAuth servers' sign-ins come back to a local port, as in desktop MCP clients (oauth-signin.ts).
    callback = await listenForCallback(logger, config.oauth.key, stdout.isTTY);
    engine = await startEngine({ ...config, oauth: { publicUrl: callback.publicUrl, key: callback.key } }, servers, logger, { storeUrl: 'memory://' });
  } catch (error) {
    return report(error);
  }

  // Only a server that is up is "connected"; one that failed to start says so, with the reason.
  for (const server of engine.hub.status()) {
    if (server.state === 'up') stdout.write(`Connected to ${server.name} (${server.tools} tools)\n`);
    else stdout.write(`Not connected to ${server.name} (${server.state}${server.lastError ? `: ${server.lastError}` : ''})\n`);
  }
  const tools = engine.hub.listTools();
  stdout.write(tools.length > 0 ? `Tools: ${tools.map((t) => t.name).join(', ')}\n` : 'No tools: Claude answers on its own.\n');
  await callback.signIn(engine.hub, engine.store, (text) => stdout.write(text));
  stdout.write('Type your queries, or "quit" to exit.\n');

  const rl = readline.createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY, prompt: PROMPT });
  const settings = { baseURL: config.anthropic.baseURL, model: config.anthropic.model };
  const sink = new TerminalSink({ write: (text) => stdout.write(text) }, (error) => describeChatError(error, settings), fileSaver());
  const key = `cli:${process.pid}`;
  // Lines come from the interface's async iterator: it keeps the lines that arrive while a turn runs
  // (typed ahead, or piped in) and ends at end of input (Ctrl-D), also when that comes mid-turn.
  let inputEnded = false;
  rl.once('close', () => {
    inputEnded = true;
  });
  const ask = () => {
    stdout.write('\n');
    // Once input has ended the interface is closed; lines it read before that are still answered.
    if (inputEnded) stdout.write(PROMPT);
    else rl.prompt();
  };
  // Ctrl-C or a kill: stop the answer under way, end the loop, and close the servers on the way out.
  const abort = new AbortController();
  const stop = () => {
    abort.abort(new Error('stopped'));
    rl.close();
  };
  rl.on('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let quit = false;
  try {
    ask();
    for await (const line of rl) {
      const query = line.trim();
      if (query.toLowerCase() === 'quit' || query.toLowerCase() === 'exit') {
        quit = true;
        break;
      }
      if (query !== '') {
        const attached = await attachFiles(query, config.files);
        for (const sentence of attached.sentences) stdout.write(`(${sentence})\n`);
        stdout.write('\n');
        // The tools of the OAuth servers signed in to so far, with the rest.
        const { tools: turnTools } = await engine.hub.forPerson(CHAT_PERSON);
        await engine.conversations.runTurn(key, attached.content, sink, abort.signal, { tools: turnTools });
        if (abort.signal.aborted) break;
      }
      ask();
    }
    if (!quit) stdout.write('\n'); // Ctrl-D leaves the cursor after the prompt
  } finally {
    rl.close();
    await Promise.all([engine.close(), callback.close()]);
  }
  return 0;
}

function report(error: unknown): number {
  if (error instanceof ConfigError) for (const problem of error.problems) stderr.write(`config: ${problem}\n`);
  else stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
