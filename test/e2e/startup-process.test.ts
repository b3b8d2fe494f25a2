// `npm start` as a person runs it, at the moments before the bot is up: every configuration problem
// in one go, a token Slack refuses, Slack out of reach, and a stop (SIGTERM, SIGINT) while starting.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FAKE_API_KEY } from '../fakes/anthropic.js';
import { PlatformError, startFakeSlackApi } from '../fakes/slack-api.js';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { alive, freePort, runToExit, startBotProcess, type Run } from '../helpers/bot-process.js';

const SLOW_START_SERVER = path.resolve('test/fixtures/mcp/slow-start.mjs');
/** Generous: tsx compiles the bot at every start, on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'bot-start-'));
}

/**
 * A servers file whose one server writes its pid to a file as soon as it runs and stays up: the
 * servers start beside the Slack check, so what a test shows is that none is left running.
 */
function serversFileWithSlowServer(dir: string): string {
  const pidFile = path.join(dir, 'server.pid');
  writeFileSync(path.join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { slow: { command: process.execPath, args: [SLOW_START_SERVER, pidFile] } } }));
  return pidFile;
}

/** The server of serversFileWithSlowServer is not running (never started, or gone). */
async function noServerLeft(pidFile: string, run: Run): Promise<void> {
  if (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await waitUntil(() => !alive(pid), `the MCP server (pid ${pid}) to be gone`, run, 10_000);
}

function httpEnv(slackApiUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slackApiUrl,
    ANTHROPIC_API_KEY: FAKE_API_KEY,
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/',
    PORT: String(port),
    STORE_URL: 'memory://',
    ...extra,
  };
}

/** Polls until `check` holds; on timeout says what it waited for and what the bot printed. */
async function waitUntil(check: () => boolean, what: string, run: Run, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; the bot's stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function configLines(run: Run): string[] {
  return run.stderr
    .trim()
    .split('\n')
    .filter((line) => line !== '');
}

describe('npm start: every configuration problem at once', () => {
  it('reports the env, the servers file and the policy file together, one line each, before starting anything', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'server-started');
    // A servers file with one good server (that would leave a marker) and one broken entry.
    writeFileSync(
      path.join(dir, 'servers.json'),
      JSON.stringify({
        mcpServers: {
          marker: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`] },
          broken: { command: 'node', args: ['x.js', 3] },
        },
      }),
    );
    writeFileSync(path.join(dir, 'rules.json'), JSON.stringify({ approval: { timeoutSeconds: 'soon' } }));
    const run = await runToExit(
      { SLACK_BOT_TOKEN: 'nonsense', PORT: 'abc', STORE_URL: 'ftp://x', MCP_CONFIG: 'servers.json', POLICY_CONFIG: 'rules.json' },
      dir,
    );
    assert.equal(run.code, 2, run.stderr);
    const lines = configLines(run);
    for (const line of lines) assert.match(line, /^config: /, `every line is a config line: ${line}`);
    const where = lines.map((line) => line.slice('config: '.length).split(':')[0]);
    for (const expected of ['PORT', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET', 'ANTHROPIC_API_KEY', 'STORE_URL', 'servers.json', 'rules.json']) {
      assert.ok(where.includes(expected), `a line for ${expected} in:\n${run.stderr}`);
    }
    assert.match(run.stderr, /servers\.json: mcpServers\.broken\.args/);
    assert.match(run.stderr, /rules\.json: approval\.timeoutSeconds/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(marker), false, 'no MCP server was started');
  });
});

describe('npm start: no Slack app yet', () => {
  it('says how to create the app, and names the other problems in the same run', async () => {
    const run = await runToExit({ PORT: 'abc' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^This bot needs a Slack app to run\./);
    const lines = configLines(run).filter((line) => line.startsWith('config: '));
    assert.deepEqual(lines.map((line) => line.split(':')[1]?.trim()), ['PORT', 'ANTHROPIC_API_KEY'], run.stderr);
    assert.doesNotMatch(run.stderr, /config: SLACK_/, 'the help already covers the Slack settings');
  });
});

describe('npm start: a token Slack refuses', () => {
  const refusals: { name: string; error?: string; socketMode?: boolean; variable: string; fix: RegExp }[] = [
    { name: 'a bot token Slack does not know (invalid_auth)', variable: 'SLACK_BOT_TOKEN', fix: /OAuth & Permissions/ },
    { name: 'an uninstalled app (account_inactive)', error: 'account_inactive', variable: 'SLACK_BOT_TOKEN', fix: /reinstall the app/ },
    { name: 'a wrong app token in Socket Mode (invalid_auth)', socketMode: true, variable: 'SLACK_APP_TOKEN', fix: /App-Level Tokens.*connections:write/ },
  ];
  for (const { name, error, socketMode, variable, fix } of refusals) {
    it(`${name}: one line naming ${variable} and the fix, exit 2, no server left running`, async () => {
      // invalid_auth: the fake takes only another bot token (or, in Socket Mode, only the bot token).
      const slack = await startFakeSlackApi({ tokens: error ? undefined : socketMode ? [TEST_BOT_TOKEN] : ['xoxb-some-other-token'] });
      if (error) slack.respond('auth.test', () => { throw new PlatformError(error); });
      const dir = tempDir();
      const pidFile = serversFileWithSlowServer(dir);
      try {
        const mode: Record<string, string> = socketMode ? { SLACK_APP_TOKEN: TEST_APP_TOKEN, SLACK_SIGNING_SECRET: '' } : {};
        const run = await runToExit(httpEnv(slack.apiUrl, await freePort(), mode), dir);
        assert.equal(run.code, 2, run.stderr);
        const line = configLines(run).find((l) => l.startsWith(`config: ${variable}: `));
        assert.ok(line, `a config line for ${variable} in:\n${run.stderr}`);
        assert.match(line, new RegExp(`Slack refused it \\(${error ?? 'invalid_auth'} from ${slack.apiUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.match(line, fix);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
        for (const secret of [TEST_BOT_TOKEN, TEST_APP_TOKEN, FAKE_API_KEY]) assert.ok(!run.stderr.includes(secret), 'no token printed');
        await noServerLeft(pidFile, run);
      } finally {
        await slack.close();
      }
    });
  }
});

describe('npm start: stopped while starting', () => {
  it('SIGTERM while waiting for an unreachable Slack: a plain line naming the URL, then a clean stop with exit 0, no server left', async () => {
    const dir = tempDir();
    const pidFile = serversFileWithSlowServer(dir);
    const closedPort = await freePort(); // nothing listens there
    const slackApiUrl = `http://127.0.0.1:${closedPort}/api/`;
    const bot = startBotProcess(httpEnv(slackApiUrl, await freePort()), dir);
    try {
      await waitUntil(() => /cannot reach Slack/.test(bot.run.stderr), 'the line saying Slack cannot be reached', bot.run);
      const line = bot.run.stderr.split('\n').find((l) => /cannot reach Slack/.test(l)) ?? '';
      const said = JSON.parse(line) as { level: string; url: string; answer: string; check: string };
      assert.equal(said.url, `${slackApiUrl}auth.test`);
      assert.match(said.answer, /ECONNREFUSED/);
      assert.match(said.check, new RegExp(`127\\.0\\.0\\.1:${closedPort}.*SLACK_API_URL`));
      bot.child.kill('SIGTERM');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /"stopped during start-up".*"SIGTERM"/);
      await noServerLeft(pidFile, run);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
    }
  });

  it('SIGINT while an MCP server is starting: the server is closed, exit 0, no process left', async () => {
    const slack = await startFakeSlackApi();
    const dir = tempDir();
    const pidFile = path.join(dir, 'server.pid');
    writeFileSync(path.join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { slow: { command: process.execPath, args: [SLOW_START_SERVER, pidFile] } } }));
    const port = await freePort();
    const bot = startBotProcess(httpEnv(slack.apiUrl, port), dir);
    try {
      await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 'the slow server to be spawned', bot.run);
      const serverPid = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(alive(serverPid));
      bot.child.kill('SIGINT');
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /"stopped during start-up".*"SIGINT"/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      await waitUntil(() => !alive(serverPid), `the MCP server (pid ${serverPid}) to be gone`, run, 10_000);
      // It never started taking events: nothing listens on its port.
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    } finally {
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      await slack.close();
    }
  });
});
