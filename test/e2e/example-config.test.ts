// mcp.example.json as a newcomer uses it: copied as mcp.json and run from the repository root (here
// through `npm run chat -- --config <copy>`, which reads the same file the bot does). Every server
// in it must come up; a server that fails is shown as not connected, with the reason.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_API_KEY, startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { REPO_ROOT as root, runChatToExit } from '../helpers/chat-process.js';

/** The chat with `--config file`, from the repository root, answering "quit" at once. */
const chatWith = (configFile: string, env: Record<string, string>) => runChatToExit(['--config', configFile], env);

describe('mcp.example.json', () => {
  let fake: FakeAnthropic;
  let dir: string;
  before(async () => {
    fake = await startFakeAnthropic();
    dir = mkdtempSync(path.join(tmpdir(), 'example-config-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copied as mcp.json, starts with every server up', async () => {
    const copy = path.join(dir, 'mcp.json');
    copyFileSync(path.join(root, 'mcp.example.json'), copy);
    // HOME is where the memory server keeps its file: a scratch folder, not the developer's home.
    const run = await chatWith(copy, { ANTHROPIC_API_KEY: FAKE_API_KEY, ANTHROPIC_BASE_URL: fake.url, HOME: dir });
    assert.equal(run.code, 0, run.stderr);
    for (const name of ['everything', 'files', 'memory']) assert.match(run.stdout, new RegExp(`^Connected to ${name} \\(\\d+ tools\\)$`, 'm'), run.stdout);
    assert.doesNotMatch(run.stdout, /Not connected/);
    assert.deepEqual(fake.rejections, []);
  });

  it('a server that fails to start is "not connected", with the reason, and the others still work', async () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          broken: { command: process.execPath, args: ['-e', 'process.exit(3)'] },
          memory: { command: 'node', args: ['node_modules/@modelcontextprotocol/server-memory/dist/index.js'], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.json') } },
        },
      }),
    );
    const run = await chatWith(file, { ANTHROPIC_API_KEY: FAKE_API_KEY, ANTHROPIC_BASE_URL: fake.url });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Not connected to broken \(failed: .+\)$/m, run.stdout);
    assert.doesNotMatch(run.stdout, /^Connected to broken/m);
    assert.match(run.stdout, /^Connected to memory \(\d+ tools\)$/m);
  });
});
