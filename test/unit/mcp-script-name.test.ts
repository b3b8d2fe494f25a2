// A server started from a script path is named after the script, or after its package or folder
// when the script is only an entry point (index.js), never "index".
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { scriptServerName } from '../../src/mcp/script-name.js';
import { serverFromScript } from '../../src/mcp/script-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the name of a script server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'script-name-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the file name when it says what the server is', () => {
    assert.equal(scriptServerName('/srv/tools/weather.py', () => 'some-package'), 'weather');
    assert.equal(scriptServerName('toy-server.mjs', () => undefined), 'toy-server');
  });

  it('is the package name (without its scope) for an entry point inside a package, through build folders', () => {
    const packages: Record<string, string> = { [path.resolve('/x/node_modules/@acme/server-notes')]: '@acme/server-notes', [path.resolve('/x/tool')]: 'tool-pkg' };
    const read = (d: string) => packages[d];
    assert.equal(scriptServerName('/x/node_modules/@acme/server-notes/dist/index.js', read), 'server-notes');
    assert.equal(scriptServerName('/x/tool/build/esm/main.mjs', read), 'tool-pkg');
  });

  it('is the folder name when no package comes first', () => {
    assert.equal(scriptServerName('/home/me/notes/index.js', () => undefined), 'notes');
    assert.equal(scriptServerName('/home/me/calendar/dist/server.js', () => undefined), 'calendar');
  });

  it('reads real package.json files: server-everything from node_modules, a folder of its own', () => {
    const everything = serverFromScript(path.join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'));
    assert.equal(everything.name, 'server-everything');
    mkdirSync(path.join(dir, 'weather', 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'weather', 'dist', 'index.js'), '');
    assert.equal(serverFromScript(path.join(dir, 'weather', 'dist', 'index.js')).name, 'weather');
    mkdirSync(path.join(dir, 'pkg', 'lib'), { recursive: true });
    writeFileSync(path.join(dir, 'pkg', 'package.json'), JSON.stringify({ name: '@team/crm-mcp' }));
    writeFileSync(path.join(dir, 'pkg', 'lib', 'main.js'), '');
    assert.equal(serverFromScript(path.join(dir, 'pkg', 'lib', 'main.js')).name, 'crm-mcp');
  });
});
