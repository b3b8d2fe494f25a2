// The naive port the benchmark measures the bot against (issues 10 and 11): the MCP client tutorial's
// loop (https://modelcontextprotocol.io/quickstart/client, TypeScript; its code is
// modelcontextprotocol/quickstart-resources, mcp-client-typescript/index.ts) moved into a plain Bolt
// app. On app_mention the listener asks Claude with every MCP tool, runs the tool calls Claude asks
// for, loops until Claude answers without a tool, and then `say`s the answer in the thread. No store,
// no dedupe, no streaming, no queue: Bolt acks the event itself before the listener runs (HTTP mode,
// processBeforeResponse off, Bolt's default), and the listener awaits the model.
//
// It is a yardstick, not a product: it reads the same settings the bot does, so the bench starts it
// the same way, against the same fakes and the same MCP server.
//   SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL (optional), PORT (default 3000)
//   ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (optional; both read by the Anthropic SDK), ANTHROPIC_MODEL
//   MCP_CONFIG: a JSON file { "mcpServers": { "<name>": { "command", "args", "env" } } } (stdio only)
// GET /healthz answers 200 once every server is connected and Bolt listens. SIGTERM closes the MCP
// servers and exits at once; a question in flight is dropped, as a tutorial port would drop it.
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { App } from '@slack/bolt';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/** The tutorial's numbers: 1000 tokens an answer; a round cap so a looping model cannot run forever. */
const MAX_TOKENS = 1000;
const MAX_ROUNDS = 10;
/** Claude sees `<server>__<tool>`, as it does with the bot, so one fake-model script serves both. */
const SEPARATOR = '__';

interface ServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

interface Connected {
  name: string;
  client: Client;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function readServers(file: string): Record<string, ServerEntry> {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers?: Record<string, ServerEntry> };
  return parsed.mcpServers ?? {};
}

async function connect(name: string, entry: ServerEntry): Promise<Connected> {
  const client = new Client({ name: 'naive-port', version: '0.0.1' });
  await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args ?? [], ...(entry.env ? { env: entry.env } : {}) }));
  return { name, client };
}

async function listTools(servers: Connected[]): Promise<Anthropic.Tool[]> {
  const tools: Anthropic.Tool[] = [];
  for (const { name, client } of servers) {
    const { tools: listed } = await client.listTools();
    for (const tool of listed) {
      tools.push({ name: `${name}${SEPARATOR}${tool.name}`, description: tool.description ?? '', input_schema: tool.inputSchema });
    }
  }
  return tools;
}

/** Runs one tool call; its text content goes back to Claude, as in the tutorial. */
async function callTool(servers: Connected[], use: Anthropic.ToolUseBlock): Promise<Anthropic.ToolResultBlockParam> {
  const at = use.name.indexOf(SEPARATOR);
  const server = servers.find((s) => s.name === use.name.slice(0, at));
  if (at < 0 || !server) return { type: 'tool_result', tool_use_id: use.id, content: `no tool ${use.name}`, is_error: true };
  const result = await server.client.callTool({ name: use.name.slice(at + SEPARATOR.length), arguments: use.input as Record<string, unknown> });
  const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
  const text = content.map((part) => (part.type === 'text' ? (part.text ?? '') : `[${part.type}]`)).join('\n');
  return { type: 'tool_result', tool_use_id: use.id, content: text === '' ? '(no output)' : text, is_error: result.isError === true };
}

/** The tutorial's processQuery: ask, run the tools asked for, ask again, until a plain answer. */
async function answer(anthropic: Anthropic, model: string, servers: Connected[], tools: Anthropic.Tool[], question: string): Promise<string> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const response = await anthropic.messages.create({ model, max_tokens: MAX_TOKENS, messages, ...(tools.length > 0 ? { tools } : {}) });
    const uses = response.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    const text = response.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
    if (uses.length === 0) return text === '' ? '(no answer)' : text;
    messages.push({ role: 'assistant', content: response.content });
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) results.push(await callTool(servers, use));
    messages.push({ role: 'user', content: results });
  }
  return 'I stopped after too many tool calls.';
}

async function main(): Promise<void> {
  const model = required('ANTHROPIC_MODEL');
  const port = Number(process.env.PORT ?? 3000);
  const servers = await Promise.all(Object.entries(readServers(required('MCP_CONFIG'))).map(([name, entry]) => connect(name, entry)));
  const tools = await listTools(servers);
  const anthropic = new Anthropic();
  let listening = false;

  const app = new App({
    token: required('SLACK_BOT_TOKEN'),
    signingSecret: required('SLACK_SIGNING_SECRET'),
    ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_req, res) => {
          res.writeHead(listening ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ready: listening, servers: servers.map((s) => ({ name: s.name, state: 'up' })) }));
        },
      },
    ],
  });

  app.event('app_mention', async ({ event, say }) => {
    const question = event.text.replace(/<@[A-Z0-9]+>/g, '').trim();
    const thread_ts = event.thread_ts ?? event.ts;
    try {
      await say({ text: await answer(anthropic, model, servers, tools, question), thread_ts });
    } catch (error) {
      await say({ text: `Sorry, that failed: ${error instanceof Error ? error.message : String(error)}`, thread_ts });
    }
  });

  process.once('SIGTERM', () => {
    void Promise.allSettled(servers.map((s) => s.client.close())).then(() => process.exit(0));
  });

  await app.start(port);
  listening = true;
}

await main();
