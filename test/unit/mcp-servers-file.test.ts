import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { expandVars } from '../../src/mcp/expand.js';
import { serverFromScript } from '../../src/mcp/script-server.js';
import { keyPath, loadServersFile, parseServersFile } from '../../src/mcp/servers-file.js';

const parse = (data: unknown, env: Record<string, string> = {}) =>
  parseServersFile(JSON.stringify(data), { file: 'mcp.json', env });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('expandVars', () => {
  it('expands ${VAR} and ${VAR:-default}, reports what is missing', () => {
    assert.deepEqual(expandVars('Bearer ${TOKEN}', { TOKEN: 'abc' }), { value: 'Bearer abc', missing: [] });
    assert.deepEqual(expandVars('${A:-x}-${B:-y}', { A: 'a', B: '' }), { value: 'a-y', missing: [] });
    assert.deepEqual(expandVars('${NOPE}/${ALSO_NOPE}', {}), { value: '/', missing: ['NOPE', 'ALSO_NOPE'] });
    assert.deepEqual(expandVars('$HOME and ${', { HOME: '/h' }), { value: '$HOME and ${', missing: [] });
  });
});

describe('parseServersFile', () => {
  it('parses stdio entries and expands variables in command, args, env and cwd', () => {
    const servers = parse(
      {
        mcpServers: {
          github: {
            command: 'npx',
            args: ['-y', '@modelcontextprotocol/server-github', '--org=${ORG}'],
            env: { GITHUB_TOKEN: '${GITHUB_TOKEN}', MODE: 'ro' },
            cwd: '${WORK}/repo',
            autoApprove: ['ignored by us'],
          },
          memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
          bare: { command: 'my-server' },
        },
      },
      { ORG: 'acme', GITHUB_TOKEN: 'ghp_x', WORK: '/srv' },
    );
    assert.deepEqual(servers, [
      {
        kind: 'stdio',
        name: 'github',
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github', '--org=acme'],
        env: { GITHUB_TOKEN: 'ghp_x', MODE: 'ro' },
        cwd: '/srv/repo',
      },
      { kind: 'stdio', name: 'memory', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: {} },
      { kind: 'stdio', name: 'bare', command: 'my-server', args: [], env: {} },
    ]);
  });

  it('names the file, the key and the fix for an unset variable', () => {
    const problems = problemsOf(() => parse({ mcpServers: { github: { command: 'npx', env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } } } }));
    assert.deepEqual(problems, [
      'mcp.json: mcpServers.github.env.GITHUB_TOKEN uses ${GITHUB_TOKEN}, which is not set; set it in the environment or .env',
    ]);
    const inArgs = problemsOf(() => parse({ mcpServers: { x: { command: 'run', args: ['--key', '${KEY}'] } } }));
    assert.deepEqual(inArgs, ['mcp.json: mcpServers.x.args[1] uses ${KEY}, which is not set; set it in the environment or .env']);
  });

  it('parses remote entries: url, headers, type, with ${VAR} expanded in url and headers', () => {
    const servers = parse(
      {
        mcpServers: {
          linear: { url: 'https://mcp.linear.app/sse', type: 'sse' },
          github: {
            url: 'https://${GH_HOST}/mcp/?team=${TEAM:-core}',
            headers: { Authorization: 'Bearer ${GITHUB_TOKEN}', 'X-Team': 'bots' },
          },
          typed: { type: 'streamable-http', url: 'http://127.0.0.1:3001/mcp' },
          plain: { type: 'http', url: 'http://localhost:3001/mcp', autoApprove: ['ignored'] },
        },
      },
      { GH_HOST: 'api.githubcopilot.com', GITHUB_TOKEN: 'ghp_x' },
    );
    assert.deepEqual(servers, [
      { kind: 'remote', name: 'linear', url: 'https://mcp.linear.app/sse', headers: {}, transport: 'sse' },
      {
        kind: 'remote',
        name: 'github',
        url: 'https://api.githubcopilot.com/mcp/?team=core',
        headers: { Authorization: 'Bearer ghp_x', 'X-Team': 'bots' },
        transport: 'auto',
      },
      { kind: 'remote', name: 'typed', url: 'http://127.0.0.1:3001/mcp', headers: {}, transport: 'http' },
      { kind: 'remote', name: 'plain', url: 'http://localhost:3001/mcp', headers: {}, transport: 'http' },
    ]);
  });

  it('names the file, the key and the fix for problems in remote entries', () => {
    const problems = problemsOf(() =>
      parse({
        mcpServers: {
          a: { url: 'https://x/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } },
          b: { url: '${HOST}/mcp' },
          c: { url: 'ftp://files.example.com' },
          d: { url: 'https://x', command: 'node' },
          e: { type: 'sse' },
          f: { url: 'https://x', type: 'websocket' },
          g: { url: 'https://x', headers: { 'Bad Header': 'v', Ok: 42 } },
          h: { url: 'https://x', headers: { X: 'a${NL}b' } },
        },
      }, { NL: '\n' }),
    );
    assert.deepEqual(problems, [
      'mcp.json: mcpServers.a.headers.Authorization uses ${TOKEN}, which is not set; set it in the environment or .env',
      'mcp.json: mcpServers.b.url uses ${HOST}, which is not set; set it in the environment or .env',
      'mcp.json: mcpServers.c.url ("ftp://files.example.com") is not an http:// or https:// address',
      'mcp.json: mcpServers.d has both "command" and "url"; keep "command" for a local server or "url" for a remote one',
      'mcp.json: mcpServers.e.url is missing; give the server\'s address, e.g. "https://mcp.example.com/mcp"',
      'mcp.json: mcpServers.f.type is "websocket"; a server with a "url" takes "http" (Streamable HTTP) or "sse", or no type to try both',
      'mcp.json: mcpServers.g.headers.Ok must be a string',
      'mcp.json: mcpServers.h.headers.X contains a line break; header values must be one line',
    ]);
  });

  it('never echoes an expanded secret in a message', () => {
    const problems = problemsOf(() => parse({ mcpServers: { a: { url: 'ftp://${SECRET}@host' } } }, { SECRET: 'hunter2-secret' }));
    assert.equal(problems.length, 1);
    assert.ok(!problems[0]?.includes('hunter2-secret'), problems[0]);
  });

  it('turns roots (paths relative to the file, or URIs) into file:// roots', () => {
    const servers = parseServersFile(
      JSON.stringify({
        mcpServers: {
          local: { command: 'x', roots: ['./docs', '${DATA}', { uri: 'file:///srv/shared', name: 'Shared' }] },
          far: { url: 'https://x/mcp', roots: [{ uri: '/abs/path', name: 'Abs' }] },
        },
      }),
      { file: 'mcp.json', env: { DATA: '/var/data' }, baseDir: '/etc/bot' },
    );
    assert.deepEqual(servers.map((s) => s.roots), [
      [{ uri: 'file:///etc/bot/docs' }, { uri: 'file:///var/data' }, { uri: 'file:///srv/shared', name: 'Shared' }],
      [{ uri: 'file:///abs/path', name: 'Abs' }],
    ]);
    const bad = problemsOf(() => parse({ mcpServers: { a: { command: 'x', roots: 'docs' } }, }));
    assert.match(bad[0] ?? '', /^mcp\.json: mcpServers\.a\.roots must be a list of directories/);
    const item = problemsOf(() => parse({ mcpServers: { a: { command: 'x', roots: [3] } } }));
    assert.match(item[0] ?? '', /^mcp\.json: mcpServers\.a\.roots\[0\] must be a directory path/);
  });

  it('collects every problem, each with file, key and fix', () => {
    const problems = problemsOf(() =>
      parse({
        mcpServers: {
          a: { args: ['x'] },
          b: { command: 42, args: 'not-a-list' },
          c: { command: 'ok', env: { PORT: 8080 } },
          d: 'npx server',
          e: { command: '   ' },
          f: { command: 'x', type: 'websocket' },
        },
      }),
    );
    assert.deepEqual(problems, [
      'mcp.json: mcpServers.a.command is missing; give the program that starts the server, e.g. "npx" or "node"',
      'mcp.json: mcpServers.b.command must be a string: the program that starts the server, e.g. "npx" or "node"',
      'mcp.json: mcpServers.b.args must be a list of strings, e.g. ["-y", "@modelcontextprotocol/server-memory"]',
      'mcp.json: mcpServers.c.env.PORT must be a string (quote numbers and booleans)',
      'mcp.json: mcpServers.d must be an object like {"command": "npx", "args": ["-y", "some-mcp-server"]} or {"url": "https://..."}',
      'mcp.json: mcpServers.e.command is empty; give the program that starts the server, e.g. "npx" or "node"',
      'mcp.json: mcpServers.f.type is "websocket"; use "stdio" for a local command, or "http" / "sse" with a "url"',
    ]);
  });

  it('reports bad JSON and a missing mcpServers object', () => {
    const bad = problemsOf(() => parseServersFile('{"mcpServers": {', { file: 'servers.json', env: {} }));
    assert.match(bad[0] ?? '', /^servers\.json: is not valid JSON \(.+\); fix the syntax/);
    const missing = problemsOf(() => parse({ servers: {} }));
    assert.match(missing[0] ?? '', /^mcp\.json: needs an "mcpServers" object, like \{"mcpServers"/);
  });

  it('accepts an empty list and skips disabled entries', () => {
    assert.deepEqual(parse({ mcpServers: {} }), []);
    assert.deepEqual(parse({ mcpServers: { off: { url: 'https://x', disabled: true } } }), []);
  });

  it('quotes keys that are not identifiers', () => {
    assert.equal(keyPath(['mcpServers', 'my server', 'env', 'A.B']), 'mcpServers["my server"].env["A.B"]');
    const problems = problemsOf(() => parse({ mcpServers: { 'my server': {} } }));
    assert.match(problems[0] ?? '', /^mcp\.json: mcpServers\["my server"\]\.command is missing/);
  });
});

describe('loadServersFile and serverFromScript', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-servers-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and resolves a relative cwd against its directory', () => {
    const file = path.join(dir, 'mcp.json');
    writeFileSync(file, JSON.stringify({ mcpServers: { s: { command: 'node', cwd: 'sub' } } }));
    assert.deepEqual(loadServersFile(file, {}), [{ kind: 'stdio', name: 's', command: 'node', args: [], env: {}, cwd: path.join(dir, 'sub') }]);
  });

  it('says how to fix a missing file', () => {
    const file = path.join(dir, 'nope.json');
    const problems = problemsOf(() => loadServersFile(file, {}));
    assert.match(problems[0] ?? '', /nope\.json: does not exist; create it with .*MCP_CONFIG/);
  });

  it('picks the interpreter from the extension and the name from the file', () => {
    for (const file of ['weather.js', 'weather.mjs', 'weather.py', 'weather.ts', 'notes.txt']) writeFileSync(path.join(dir, file), '');
    assert.deepEqual(serverFromScript(path.join(dir, 'weather.js')), {
      kind: 'stdio',
      name: 'weather',
      env: {},
      command: process.execPath,
      args: [path.join(dir, 'weather.js')],
    });
    assert.equal(serverFromScript('weather.mjs', { cwd: dir }).command, process.execPath);
    const py = serverFromScript('weather.py', { cwd: dir });
    assert.equal(py.command, process.platform === 'win32' ? 'python' : 'python3');
    assert.deepEqual(py.args, [path.join(dir, 'weather.py')]);
    const ts = serverFromScript(path.join(dir, 'weather.ts'));
    assert.equal(ts.command, process.execPath);
    assert.equal(ts.args[0], '--import');
    assert.match(ts.args[1] ?? '', /^file:\/\/.*tsx/);
    assert.equal(ts.args[2], path.join(dir, 'weather.ts'));
    assert.equal(serverFromScript('weather.js', { cwd: dir, name: 'wx' }).name, 'wx');
  });

  it('explains a missing script, an unknown extension and a missing tsx', () => {
    assert.match(problemsOf(() => serverFromScript('missing.py', { cwd: dir }))[0] ?? '', /^missing\.py: no such file \(looked for .*missing\.py\)/);
    assert.match(problemsOf(() => serverFromScript('notes.txt', { cwd: dir }))[0] ?? '', /cannot tell how to run "\.txt"/);
    assert.match(problemsOf(() => serverFromScript(dir))[0] ?? '', /no such file/);
    const noTsx = problemsOf(() => serverFromScript('weather.ts', { cwd: dir, resolveTsxLoader: () => undefined }));
    assert.match(noTsx[0] ?? '', /needs tsx/);
  });
});

describe('servers file: the oauth key', () => {
  it('reads every key, with ${VAR} in the secret, and defaults to each person signing in', () => {
    const [entry] = parse({ mcpServers: { docs: { url: 'https://mcp.example.com/mcp', oauth: { clientId: 'bot', clientSecret: '${SECRET}', scopes: ['read'] } } } }, { SECRET: 's3' });
    assert.deepEqual(entry?.kind === 'remote' ? entry.oauth : undefined, { grant: 'authorization_code', clientId: 'bot', clientSecret: 's3', scopes: ['read'] });
    const [bare] = parse({ mcpServers: { docs: { url: 'https://mcp.example.com/mcp', oauth: {} } } });
    assert.deepEqual(bare?.kind === 'remote' ? bare.oauth : undefined, { grant: 'authorization_code' });
  });

  it('names the key and the fix for a wrong grant, an unknown key, and client_credentials without a secret', () => {
    const problems = problemsOf(() =>
      parse({
        mcpServers: {
          a: { url: 'https://a.example.com/mcp', oauth: { grant: 'password' } },
          b: { url: 'https://b.example.com/mcp', oauth: { clientid: 'x' } },
          c: { url: 'https://c.example.com/mcp', oauth: { grant: 'client_credentials', clientId: 'x' } },
        },
      }),
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0] ?? '', /mcpServers\.a\.oauth\.grant.*authorization_code/);
    assert.match(problems[1] ?? '', /mcpServers\.b\.oauth/);
    assert.match(problems[2] ?? '', /mcpServers\.c\.oauth.*needs "clientId" and "clientSecret"/);
  });
});
