// The bot as a process, the way `npm start` runs it (`node dist/main.js`): configuration problems at
// start, /healthz, and a SIGTERM that lets the answer under way finish, closes the MCP servers and exits 0.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FAKE_API_KEY, reply, startFakeAnthropic } from '../fakes/anthropic.js';
import { startFakeSlackApi } from '../fakes/slack-api.js';
import { EVERYTHING_SERVER, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { alive, botProcessEnv, freePort, runToExit, startBotProcess, waitHealthy } from '../helpers/bot-process.js';
import { appMention, nextTs, postEvent } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('npm start: configuration problems', () => {
  it('without Slack tokens, says how to create the app and points to npm run chat', async () => {
    const run = await runToExit({});
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /manifest\.yml/);
    assert.match(run.stderr, /npm run chat/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('prints one line per problem, naming the variable and the fix, with no stack trace', async () => {
    const run = await runToExit({ SLACK_BOT_TOKEN: 'not-a-token', PORT: 'eighty', LOG_LEVEL: 'loud', ANTHROPIC_API_KEY: 'k' });
    assert.equal(run.code, 2);
    const lines = run.stderr.trim().split('\n');
    assert.ok(lines.some((l) => /^config: PORT: .*whole number/.test(l)), run.stderr);
    assert.ok(lines.some((l) => /^config: LOG_LEVEL: .*debug, info, warn, error/.test(l)), run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  it('names the servers file and the key when it is malformed', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-proc-'));
    writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: { files: { command: 'node', args: ['x.js', 3] } } }));
    const run = await runToExit(
      // A closed port as the API: the start-up model check must not reach out to Anthropic from a test.
      { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', STORE_URL: 'memory://' },
      cwd,
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /mcp\.json.*mcpServers\.files\.args/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});

describe('npm start: running and stopping', () => {
  it('serves /healthz, finishes the answer under way on SIGTERM, closes its servers and exits 0', async () => {
    const slack = await startFakeSlackApi();
    const anthropic = await startFakeAnthropic({ script: () => reply.text('A slow but complete answer.', { stream: { chunks: 10, durationMs: 1500 } }) });
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-proc-'));
    writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: { everything: EVERYTHING_SERVER } }));
    const port = await freePort();
    const bot = startBotProcess(
      botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, { bot: TEST_BOT_TOKEN, signing: TEST_SIGNING_SECRET, apiKey: FAKE_API_KEY }),
      cwd,
    );
    try {
      const health = await waitHealthy(port, bot);
      assert.equal(health.ready, true);
      const everything = health.servers.find((s) => s.name === 'everything');
      assert.equal(everything?.state, 'up');
      assert.ok(everything.pid && alive(everything.pid));

      const ts = nextTs();
      const response = await postEvent(`http://127.0.0.1:${port}/slack/events`, appMention({ channel: 'C800', user: 'U8', text: '<@U0FAKEBOT1> hi', ts }), {
        signingSecret: TEST_SIGNING_SECRET,
      });
      assert.equal(response.status, 200);
      await slack.waitFor('chat.startStream', 30_000);
      bot.program.signal('SIGTERM');
      await bot.program.waitExit();
      const run = await bot.exited;
      assert.equal(run.code, 0, run.stderr);
      const answer = slack.messages('C800', ts).find((m) => m.stream);
      assert.equal(answer?.stream, 'stopped');
      assert.match(answer.markdown_text ?? '', /A slow but complete answer\./);
      assert.equal(alive(everything.pid), false, 'the MCP server process is gone');
      // Logs are JSON lines and never carry the tokens.
      for (const line of run.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
      for (const secret of [TEST_BOT_TOKEN, TEST_SIGNING_SECRET, FAKE_API_KEY]) assert.ok(!run.stderr.includes(secret));
    } finally {
      bot.program.killGroup();
      await slack.close();
      await anthropic.close();
    }
  });
});
