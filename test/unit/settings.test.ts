// checkBotSettings: the environment, the servers file and the policy file in one pass, so that a
// person sees every problem of the three in one run, one line each.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { checkBotSettings } from '../../src/settings.js';

const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const GOOD_ENV = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 'secret', ANTHROPIC_API_KEY: 'sk-ant-k', STORE_URL: 'memory://' };

function file(name: string, data: unknown): string {
  const at = path.join(dir, name);
  writeFileSync(at, typeof data === 'string' ? data : JSON.stringify(data));
  return at;
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    checkBotSettings(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('checkBotSettings', () => {
  it('reads good settings with both files', () => {
    const servers = file('good-mcp.json', { mcpServers: { memory: { command: 'node', args: ['memory.js'] } } });
    const policy = file('good-policy.json', { servers: { memory: { denyTools: ['delete_*'] } } });
    const settings = checkBotSettings({ ...GOOD_ENV, MCP_CONFIG: servers, POLICY_CONFIG: policy });
    assert.deepEqual(settings.files.servers.map((s) => s.name), ['memory']);
    assert.equal(settings.files.serversFile, true);
    assert.equal(settings.files.policy.file, policy);
    assert.equal(settings.config.store.url, 'memory://');
  });

  it('runs without tools when there is no servers file at the default path', () => {
    // The default ./mcp.json is looked for in the working directory: one without it.
    const cwd = process.cwd();
    process.chdir(mkdtempSync(path.join(dir, 'empty-')));
    let settings;
    try {
      settings = checkBotSettings({ ...GOOD_ENV, MCP_CONFIG: '' });
    } finally {
      process.chdir(cwd);
    }
    assert.equal(settings.files.serversFile, false);
    assert.deepEqual(settings.files.servers, []);
  });

  it('reports the problems of the env and both files together, one line each', () => {
    const servers = file('bad-mcp.json', { mcpServers: { files: { command: 'node', args: ['x.js', 3] } } });
    const policy = file('bad-policy.json', { users: { allow: 'U1' } });
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'nonsense', PORT: 'abc', STORE_URL: 'ftp://x', MCP_CONFIG: servers, POLICY_CONFIG: policy });
    const where = problems.map((p) => p.split(': ')[0]);
    assert.deepEqual(where, ['PORT', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET', 'ANTHROPIC_API_KEY', 'STORE_URL', servers, policy]);
    for (const line of problems) assert.ok(!line.includes('\n'), line);
    assert.match(problems[4] ?? '', /ftp:\/\/x.*sqlite:\/\/path, redis:\/\/host:port or memory:\/\//);
  });

  it('names a missing servers file and a missing policy file that were asked for, in one go', () => {
    const problems = problemsOf({ ...GOOD_ENV, MCP_CONFIG: path.join(dir, 'none.json'), POLICY_CONFIG: path.join(dir, 'nope.json') });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0] ?? '', /none\.json: does not exist.*MCP_CONFIG/);
    assert.match(problems[1] ?? '', /nope\.json: does not exist.*POLICY_CONFIG/);
  });

  it('checks the policy against the servers file, but not against a servers file it could not read', () => {
    const servers = file('two-mcp.json', { mcpServers: { memory: { command: 'node' } } });
    const policy = file('typo-policy.json', { servers: { memroy: { denyTools: ['*'] } } });
    assert.match(problemsOf({ ...GOOD_ENV, MCP_CONFIG: servers, POLICY_CONFIG: policy }).join('\n'), /servers\.memroy is not a server of the servers file/);

    const broken = file('broken-mcp.json', '{ "mcpServers": ');
    const problems = problemsOf({ ...GOOD_ENV, MCP_CONFIG: broken, POLICY_CONFIG: policy });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /broken-mcp\.json: is not valid JSON/);
  });
});
