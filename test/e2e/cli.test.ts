// The terminal chat as a person runs it: `node dist/cli/main.js <args>` (npm run chat) in the repo, with
// the fake Anthropic API as ANTHROPIC_BASE_URL, real MCP servers, and stdin driven line by line (no
// TTY). What is checked is what the person sees on the screen, what Claude is sent, the exit code,
// and that no server process outlives the chat.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic, type MessagesRequest } from '../fakes/anthropic.js';
import { freePort } from '../helpers/bot-process.js';
import { startAuthFixture } from '../fixtures/oauth/auth-fixture.js';
import { killAllPrograms, PROGRAM_WAIT_MS, REPO_ROOT as root, startProgram, type Program } from '../helpers/program.js';

const TOY_SERVER = 'test/fixtures/mcp/toy-server.mjs';
const EVERYTHING = path.join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

// Every variable the chat reads. Each is given explicitly (empty = unset), so a .env in the repo
// cannot change what a test sees: dotenv never overrides a variable that is already there.
const CHAT_VARIABLES = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_MAX_TOKENS',
  'ANTHROPIC_MAX_RETRIES',
  'SYSTEM_PROMPT',
  'MCP_CONFIG',
  'MCP_CALL_TIMEOUT_MS',
  'STORE_URL',
  'HISTORY_TTL_DAYS',
  'HISTORY_BUDGET_TOKENS',
  'MAX_TOOL_ROUNDS',
  'LOG_LEVEL',
  'PORT',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_API_URL',
] as const;
type ChatVariable = (typeof CHAT_VARIABLES)[number];

function chatEnv(fake: FakeAnthropic | undefined, overrides: Partial<Record<ChatVariable, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the chat is not a test file of this run
  for (const name of CHAT_VARIABLES) env[name] = '';
  return {
    ...env,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ANTHROPIC_BASE_URL: fake?.url ?? 'http://127.0.0.1:9',
    ANTHROPIC_MAX_RETRIES: '0',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

interface Chat extends Program {
  /** Waits for the n-th `Query:` prompt (1-based). */
  prompt(n: number): Promise<void>;
  send(line: string): void;
}

function startChat(args: string[], env: NodeJS.ProcessEnv): Chat {
  const program = startProgram('cli/main.js', args, { cwd: root, env });
  return {
    ...program,
    prompt: (n) => program.waitFor(() => count(program.stdout(), 'Query: ') >= n, `prompt number ${n}`),
    send: (line) => program.child.stdin.write(line + '\n'),
  };
}

/** Runs the chat to its end with `input` as the whole of stdin. */
async function runChat(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const chat = startChat(args, env);
  chat.child.stdin.end(input);
  const code = await chat.waitExit();
  return { code, stdout: chat.stdout(), stderr: chat.stderr() };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Running (not zombie) processes whose command line contains `tag`. */
function processesWith(tag: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(tag) && !/^\s*\d+\s+Z/.test(line));
}

function isAlive(pid: number): boolean {
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const stat = ps.stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

/** The name of the offered tool that ends in `suffix` (the chat namespaces names as server__tool). */
function toolNamed(request: MessagesRequest, suffix: string): string {
  const names = (request.tools ?? []).flatMap((t) => ('name' in t ? [t.name] : []));
  const name = names.find((n) => n.endsWith(suffix));
  assert.ok(name, `the request offers a tool ending in ${suffix} (it offers ${names.join(', ')})`);
  return name;
}

function textOf(message: Anthropic.MessageParam | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((block) => {
      if (block.type === 'text') return block.text;
      if (block.type === 'tool_result') return typeof block.content === 'string' ? block.content : (block.content ?? []).map((b) => (b.type === 'text' ? b.text : '')).join('');
      return '';
    })
    .join('');
}

// Two tests at a time (at most four chats, each with its servers): enough to overlap their waits, few
// enough that a loaded 2-core machine starts each chat in seconds. See scripts/run-tests.mjs.
describe('the terminal chat', { concurrency: 2 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-e2e-'));
  const fakes: FakeAnthropic[] = [];
  const fake = async () => {
    const started = await startFakeAnthropic();
    fakes.push(started);
    return started;
  };

  before(() => {
    assert.equal(spawnSync('ps', ['-p', String(process.pid)]).status, 0, 'ps is available');
  });
  after(async () => {
    killAllPrograms(); // a chat (and its servers) that a failed test left running
    await Promise.all(fakes.map((f) => f.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a server script, shows the tool call and the answer, remembers the conversation, and quits cleanly', async () => {
    const api = await fake();
    let serverPid = '';
    api.script((request, call) => {
      if (call === 0) return api.reply.tools([{ name: toolNamed(request, '__pid') }], { text: 'Let me look.' });
      if (call === 1) {
        serverPid = textOf(request.messages.at(-1));
        return api.reply.text(`The server runs as process ${serverPid}.`, { stream: { chunks: 4 } });
      }
      return api.reply.text('You asked which process the server runs as.');
    });
    const chat = startChat([TOY_SERVER], chatEnv(api));
    try {
      await chat.prompt(1);
      const banner = chat.stdout();
      assert.match(banner, /^Connected to toy-server \(\d+ tools\)$/m);
      assert.match(banner, /^Tools: .*toy-server__pid/m);
      assert.ok(banner.trimEnd().endsWith('Query:'), 'it ends by asking for a query');

      chat.send('Which process is the server?');
      await chat.prompt(2);
      assert.match(serverPid, /^\d+$/, 'Claude received the pid from the tool');
      const first = chat.stdout().slice(banner.length);
      assert.match(first, /Let me look\.\n\[tool\] toy-server\/pid \{\}\n/, 'the tool call shows when it starts');
      assert.match(first, new RegExp(`\\[tool\\] toy-server/pid done in \\d+ ms: ${serverPid}\\n`), 'and when it ends, with its result');
      const answerAt = first.indexOf(`The server runs as process ${serverPid}.`);
      assert.ok(answerAt > first.indexOf('done in'), 'the answer follows the tool call');
      assert.ok(isAlive(Number(serverPid)), 'the server runs while the chat does');

      chat.send('What did I ask you before?');
      await chat.prompt(3);
      assert.match(chat.stdout(), /You asked which process the server runs as\./);
      const third = api.calls[2];
      assert.equal(third?.messages.length, 5, 'the second question goes with the whole first exchange');
      assert.equal(textOf(third?.messages[0]), 'Which process is the server?');
      assert.equal(textOf(third?.messages[3]), `The server runs as process ${serverPid}.`);
      assert.equal(textOf(third?.messages[4]), 'What did I ask you before?');

      chat.send('quit');
      assert.equal(await chat.waitExit(), 0);
      assert.equal(isAlive(Number(serverPid)), false, 'the server is gone once the chat has exited');
      assert.deepEqual(api.rejections, []);
      assert.equal(chat.stderr(), '', 'nothing on stderr at LOG_LEVEL=warn');
    } finally {
      chat.killGroup();
    }
  });

  it('runs a servers file given with --config, lists each server, and exits 0 at Ctrl-D leaving no server behind, not even a stubborn one', async () => {
    const api = await fake();
    api.script((request, call) =>
      call === 0 ? api.reply.tools([{ name: toolNamed(request, 'everything__echo'), input: { message: 'over the wire' } }]) : api.reply.text('It echoed.'),
    );
    const tag = `--cli-e2e-${randomUUID()}`;
    const file = path.join(dir, 'mcp-ctrl-d.json');
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          everything: { command: process.execPath, args: [EVERYTHING, 'stdio', tag] },
          // --stubborn: this one ignores the end of its input and SIGTERM; only SIGKILL stops it.
          toy: { command: process.execPath, args: [path.join(root, TOY_SERVER), '--stubborn', tag] },
        },
      }),
    );
    const chat = startChat(['--config', file], chatEnv(api));
    try {
      await chat.prompt(1);
      assert.match(chat.stdout(), /^Connected to everything \(\d+ tools\)$/m);
      assert.match(chat.stdout(), /^Connected to toy \(\d+ tools\)$/m);
      assert.match(chat.stdout(), /^Tools: .*everything__echo.*toy__pid/m);
      assert.equal(processesWith(tag).length, 2, 'both servers run');

      chat.send('Echo something');
      await chat.prompt(2);
      assert.match(chat.stdout(), /\[tool\] everything\/echo \{"message":"over the wire"\}\n/);
      assert.match(chat.stdout(), /\[tool\] everything\/echo done in \d+ ms: Echo: over the wire\n/);
      assert.match(chat.stdout(), /It echoed\./);

      chat.child.stdin.end(); // Ctrl-D
      assert.equal(await chat.waitExit(), 0);
      assert.deepEqual(processesWith(tag), [], 'no server process is left behind');
      assert.deepEqual(api.rejections, []);
    } finally {
      chat.killGroup();
    }
  });

  it('prints the sign-in URL of an OAuth server, takes the callback on a local port, then offers that server\'s tools', async () => {
    const auth = await startAuthFixture();
    const api = await fake();
    api.script((request, call) => (call === 0 ? api.reply.tools([{ name: toolNamed(request, 'docs__whoami'), input: {} }]) : api.reply.text('Done.')));
    const file = path.join(dir, 'mcp-oauth.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { docs: { url: auth.mcpUrl } } }));
    const chat = startChat(['--config', file], chatEnv(api));
    try {
      await chat.prompt(1);
      const url = /^ {2}(http\S+)$/m.exec(chat.stdout())?.[1];
      assert.ok(url, `a printed sign-in URL: ${chat.stdout()}`);
      // The browser: the authorization page sends it to the chat's own port.
      const redirect = await auth.signIn(url, 'dana');
      assert.equal(redirect.hostname, '127.0.0.1');
      const page = await fetch(redirect);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Connected, you can close this tab/);
      await chat.waitFor(() => /\nConnected to docs \(1 tools\): docs__whoami\n/.test(chat.stdout()), 'the chat says it is connected');

      chat.send('Who am I on docs?');
      await chat.prompt(2);
      assert.match(chat.stdout(), /\[tool\] docs\/whoami .*you are dana/);
      chat.child.stdin.end();
      assert.equal(await chat.waitExit(), 0);
    } finally {
      chat.killGroup();
      await auth.close();
    }
  });

  it('answers every line piped into it, even when input ends mid-turn, then exits 0', async () => {
    // server-everything's index.js through the script shorthand (no arguments: it defaults to stdio),
    // named after its package, not "index".
    const api = await fake();
    api.script((request) => api.reply.text(`Answer to: ${textOf(request.messages.at(-1))}`));
    const { code, stdout, stderr } = await runChat([EVERYTHING], chatEnv(api), 'first question\nsecond question\n');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Connected to server-everything \(\d+ tools\)$/m);
    assert.match(stdout, /Answer to: first question/);
    assert.match(stdout, /Answer to: second question/);
    assert.equal(api.calls.length, 2, 'a line that arrives while a turn runs is not lost');
    assert.equal(textOf(api.calls[1]?.messages[1]), 'Answer to: first question');
    assert.doesNotMatch(stderr, /ERR_USE_AFTER_CLOSE|Error/);
  });

  it('attaches the files a question names with @path: an image as a block, a CSV as text, a missing file named', async () => {
    const api = await fake();
    api.script(() => api.reply.text('I see a picture and a table.'));
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');
    writeFileSync(path.join(dir, 'pic.png'), png);
    writeFileSync(path.join(dir, 'stock.csv'), 'fruit,count\napple,3\n');
    const question = `compare @${path.join(dir, 'pic.png')} with @"${path.join(dir, 'stock.csv')}" and @${path.join(dir, 'gone.txt')}`;
    const { code, stdout, stderr } = await runChat([TOY_SERVER], chatEnv(api), `${question}\n`);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /I see a picture and a table\./);
    assert.match(stdout, /\(The file ".*gone\.txt" was not found, so it was not read\.\)/, 'the person is told which file was left out');
    const sent = api.calls[0]?.messages[0]?.content;
    assert.ok(Array.isArray(sent), 'the question went as content blocks');
    assert.deepEqual(sent.map((b) => b.type), ['image', 'text', 'text']);
    const [image, csv, text] = sent;
    assert.ok(image?.type === 'image' && image.source.type === 'base64');
    assert.equal(image.source.data, png.toString('base64'));
    assert.ok(csv?.type === 'text' && text?.type === 'text');
    assert.match(csv.text, /name="stock\.csv"[\s\S]*apple,3/);
    assert.match(text.text, /^compare @/);
    assert.match(text.text, /gone\.txt" was not found/);
    assert.deepEqual(api.rejections, []);
  });

  it('prints the answer while it is still streaming, and a dropped connection as an error line', async () => {
    const api = await fake();
    api.script([api.reply.hang('The first half of the answer')]);
    const chat = startChat([TOY_SERVER], chatEnv(api));
    try {
      await chat.prompt(1);
      chat.send('Tell me everything');
      await chat.waitFor(() => chat.stdout().includes('The first half of the answer'), 'the streamed start of the answer');
      assert.equal(count(chat.stdout(), 'Query: '), 1, 'the turn is still running');
      await api.close(); // the connection drops mid-answer
      await chat.prompt(2);
      assert.match(chat.stdout(), /The first half of the answer\nError: .+\n/);
      chat.send('exit');
      assert.equal(await chat.waitExit(), 0);
    } finally {
      chat.killGroup();
    }
  });

  it('tells a failed Claude call in its own words, naming the setting to check, with log lines on stderr only', async () => {
    const api = await fake();
    api.script([
      api.reply.error(401, { message: 'invalid x-api-key' }),
      // A model the start-up check found, retired (or moved) by the time the question is asked.
      api.reply.error(404, { message: 'model: claude-sonnet-5' }),
    ]);
    const closedPort = await freePort(); // nothing listens there: connection refused
    const [refused, turnedDown] = await Promise.all([
      runChat([TOY_SERVER], chatEnv(undefined, { ANTHROPIC_BASE_URL: `http://127.0.0.1:${closedPort}` }), 'hello\n'),
      runChat([TOY_SERVER], chatEnv(api, { ANTHROPIC_MODEL: 'claude-sonnet-5' }), 'first\nsecond\n'),
    ]);
    for (const run of [refused, turnedDown]) assert.equal(run.code, 0, run.stderr);

    assert.match(
      refused.stdout,
      new RegExp(`^Error: The chat could not reach Claude at ANTHROPIC_BASE_URL \\(http://127\\.0\\.0\\.1:${closedPort}\\): connection refused\\. Check ANTHROPIC_BASE_URL and your network\\.$`, 'm'),
    );
    assert.match(turnedDown.stdout, /^Error: Claude turned down the API key \(401\) \("invalid x-api-key"\); check ANTHROPIC_API_KEY \(in the environment or \.env\)\.$/m);
    assert.match(turnedDown.stdout, /^Error: ANTHROPIC_BASE_URL \(http:\/\/127\.0\.0\.1:\d+\) does not know the model claude-sonnet-5 or this address \(404\).*check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL\.$/m);

    for (const run of [refused, turnedDown]) {
      assert.doesNotMatch(run.stdout, /the bot|bot's/i, 'the chat speaks of itself, not of the Slack bot');
      // stdout holds the conversation alone; the log's JSON lines are all on stderr.
      assert.doesNotMatch(run.stdout, /^\s*\{/m);
      const logLines = run.stderr.trim().split('\n');
      assert.ok(logLines.some((line) => line.includes('"turn failed"')), run.stderr);
      for (const line of logLines) assert.doesNotThrow(() => JSON.parse(line), `a log line on stderr: ${line}`);
    }
  });

  it('kills the whole process group of a chat that does not exit in time, so no server is left behind', async () => {
    const tag = `--cli-e2e-${randomUUID()}`;
    const file = path.join(dir, 'mcp-timeout.json');
    // --stubborn ignores the end of its input and SIGTERM: only a kill of the group stops it here.
    writeFileSync(file, JSON.stringify({ mcpServers: { toy: { command: process.execPath, args: [path.join(root, TOY_SERVER), '--stubborn', tag] } } }));
    const chat = startChat(['--config', file], chatEnv(undefined));
    await chat.prompt(1);
    assert.equal(processesWith(tag).length, 1, 'the server runs');
    // stdin stays open, so the chat waits for a query: a test waiting for its exit times out.
    await assert.rejects(chat.waitExit(500), (error: Error) => {
      assert.match(error.message, /did not exit within 500 ms/);
      assert.match(error.message, /--- cli\/main\.js stdout ---\nConnected to toy/, 'the failure shows what the chat printed');
      return true;
    });
    assert.equal(await chat.waitExit(), null, 'the chat was killed');
    const deadline = Date.now() + PROGRAM_WAIT_MS;
    while (processesWith(tag).length > 0) {
      assert.ok(Date.now() < deadline, `the stubborn server outlived its chat: ${processesWith(tag).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('says to set ANTHROPIC_API_KEY and exits non-zero without it', async () => {
    const { code, stdout, stderr } = await runChat([TOY_SERVER], chatEnv(undefined, { ANTHROPIC_API_KEY: '' }), 'hello\n');
    assert.notEqual(code, 0);
    assert.match(stderr, /ANTHROPIC_API_KEY is not set/);
    assert.match(stderr, /\.env/);
    assert.doesNotMatch(stdout, /Query:/);
  });

  it('names the file and the key of a malformed servers file, and exits non-zero', async () => {
    const badEntry = path.join(dir, 'bad-entry.json');
    writeFileSync(badEntry, JSON.stringify({ mcpServers: { broken: { command: 'node', args: 'server.js' }, fine: { command: 'node' } } }));
    const badJson = path.join(dir, 'bad-json.json');
    writeFileSync(badJson, '{ "mcpServers": { "memory": { "command": "npx", } } }');
    const missing = path.join(dir, 'missing.json');

    const [entry, json, absent] = await Promise.all([
      runChat(['--config', badEntry], chatEnv(undefined)),
      runChat([`--config=${badJson}`], chatEnv(undefined)),
      runChat(['-c', missing], chatEnv(undefined)),
    ]);
    assert.notEqual(entry.code, 0);
    assert.match(entry.stderr, new RegExp(`^config: ${escape(badEntry)}: mcpServers\\.broken\\.args must be a list of strings.*\\n$`));
    assert.equal(count(entry.stderr, '\n'), 1, 'one line: the entry that is fine is not blamed');
    assert.notEqual(json.code, 0);
    assert.match(json.stderr, new RegExp(`^config: ${escape(badJson)}: is not valid JSON`));
    assert.notEqual(absent.code, 0);
    assert.match(absent.stderr, new RegExp(`^config: ${escape(missing)}: does not exist`));
    for (const run of [entry, json, absent]) assert.doesNotMatch(run.stdout, /Query:/);
  });

  it('refuses a bad command line with a reason and the usage', async () => {
    const [noFile, unknown, two] = await Promise.all([
      runChat(['no/such/server.js'], chatEnv(undefined)),
      runChat(['--verbose'], chatEnv(undefined)),
      runChat([TOY_SERVER, '--config', 'mcp.json'], chatEnv(undefined)),
    ]);
    assert.notEqual(noFile.code, 0);
    assert.match(noFile.stderr, /no\/such\/server\.js: no such file/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^unknown option --verbose\nusage: npm run chat/);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /not both/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
