// `npm start` and the chat with an ANTHROPIC_MODEL the API does not serve: each asks the (fake)
// Models API once at start, prints one line naming the variable and the fix, and exits 2 without
// sending a question to Claude. The chat checks before it starts a server; `npm start` checks beside
// the rest of its start (Slack, store, servers: src/process/start-group.ts), so its log may say what
// had begun, and what had begun is closed again.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { freePort, runToExit, type Run } from '../helpers/bot-process.js';
import { runChatToExit } from '../helpers/chat-process.js';

const UNKNOWN = 'claude-sonnet-9-9';

/** One line for a person, naming the variable and the fix; `logged`: besides the bot's JSON log lines. */
function assertOneLine(run: Run, { logged } = { logged: false }): void {
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((line) => !logged || !line.startsWith('{'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] ?? '', new RegExp(`^config: ANTHROPIC_MODEL: .*"${UNKNOWN}".*unset it to use the default`));
}

describe('an ANTHROPIC_MODEL the API does not serve', () => {
  let fake: FakeAnthropic;
  let cwd: string;
  before(async () => {
    fake = await startFakeAnthropic();
    cwd = mkdtempSync(path.join(tmpdir(), 'model-check-'));
    // A servers file whose server would start if the chat checked too late.
    writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: { never: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } } }));
  });
  after(() => fake.close());

  it('npm start prints one line and exits 2', async () => {
    fake.requests.length = 0;
    const run = await runToExit(
      {
        SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        // Nothing listens there: the bot waits for Slack, and the model check ends the wait.
        SLACK_API_URL: `http://127.0.0.1:${await freePort()}/api/`,
        ANTHROPIC_API_KEY: FAKE_API_KEY,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: UNKNOWN,
        PORT: String(await freePort()),
        STORE_URL: 'memory://',
      },
      cwd,
    );
    assertOneLine(run, { logged: true });
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      [`GET /v1/models/${UNKNOWN}`],
    );
  });

  it('the chat prints one line and exits 2 without asking Claude anything', async () => {
    fake.requests.length = 0;
    const run = await runChatToExit([], { ANTHROPIC_API_KEY: FAKE_API_KEY, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: UNKNOWN }, { cwd, stdin: 'hello\n' });
    assertOneLine(run);
    assert.doesNotMatch(run.stdout, /Query:|Connected to/);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      [`GET /v1/models/${UNKNOWN}`],
    );
  });
});
