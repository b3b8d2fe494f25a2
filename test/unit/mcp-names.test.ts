import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCatalog } from '../../src/mcp/catalog.js';
import { assignToolNames, namespacedToolName, serverPrefix, TOOL_NAME_PATTERN } from '../../src/mcp/names.js';

describe('namespacedToolName', () => {
  it('keeps plain names readable', () => {
    assert.equal(namespacedToolName('github', 'create_issue'), 'github__create_issue');
    assert.equal(namespacedToolName('everything', 'get-sum'), 'everything__get-sum');
  });

  it('always produces a name Claude accepts', () => {
    const odd = ['weird.name with spaces', 'búsqueda', '検索', '🔥', '', 'a'.repeat(200), 'x.y.z', '__', 'tool/with/slashes'];
    for (const server of ['fs', 'my.server', 'a__b', 'x_', 'Ñandú', 's'.repeat(80)]) {
      for (const tool of odd) {
        const name = namespacedToolName(server, tool);
        assert.match(name, TOOL_NAME_PATTERN, `${server} / ${tool} -> ${name}`);
      }
    }
  });

  it('shortens long names deterministically with a hash suffix', () => {
    const long = 'list_all_the_things_in_the_repository_including_archived_ones_and_forks';
    const name = namespacedToolName('github', long);
    assert.equal(name.length, 64);
    assert.ok(name.startsWith('github__list_all_the_things'));
    assert.match(name, /_[0-9a-f]{8}$/);
    assert.equal(namespacedToolName('github', long), name);
    assert.notEqual(namespacedToolName('github', long + 'x'), name);
  });

  it('folds accents and replaces dots rather than dropping them silently', () => {
    const name = namespacedToolName('search', 'búsqueda.rápida');
    assert.match(name, /^search__busqueda_rapida_[0-9a-f]{8}$/);
    // "tool.a" and "tool_a" would sanitise to the same text: the hash keeps them apart.
    assert.notEqual(namespacedToolName('s', 'tool.a'), namespacedToolName('s', 'tool_a'));
    assert.equal(namespacedToolName('s', 'tool_a'), 's__tool_a');
  });

  it('is stable: a pure function of server and tool', () => {
    assert.equal(namespacedToolName('my.server', '検索'), namespacedToolName('my.server', '検索'));
    assert.match(namespacedToolName('my.server', '検索'), /^my-server-[0-9a-f]{8}__tool_[0-9a-f]{8}$/);
  });

  it('never lets two servers collide through the separator', () => {
    // Without care both would be "a__b__c".
    const one = namespacedToolName('a', 'b__c');
    const two = namespacedToolName('a__b', 'c');
    assert.notEqual(one, two);
    assert.equal(one, 'a__b__c');
    assert.equal(namespacedToolName('x', '_y'), 'x___y');
    assert.notEqual(namespacedToolName('x_', 'y'), 'x___y');
  });
});

describe('serverPrefix', () => {
  it('keeps simple names and hashes the rest', () => {
    assert.equal(serverPrefix('memory'), 'memory');
    assert.equal(serverPrefix('my_server-2'), 'my_server-2');
    for (const odd of ['a__b', 'x_', '_x', 'my server', 'github.com', 's'.repeat(30)]) {
      const prefix = serverPrefix(odd);
      assert.ok(!prefix.includes('__') && !prefix.endsWith('_'), `${odd} -> ${prefix}`);
      assert.ok(prefix.length <= 24, `${odd} -> ${prefix}`);
      assert.match(prefix, /-[0-9a-f]{8}$/);
    }
  });
});

describe('assignToolNames', () => {
  it('maps every name back to exactly its server and tool', () => {
    const refs = [
      { server: 'everything', tool: 'echo' },
      { server: 'memory', tool: 'echo' },
      { server: 'a', tool: 'b__c' },
      { server: 'a__b', tool: 'c' },
      { server: 'fs', tool: 'read.file' },
      { server: 'fs', tool: 'read_file' },
    ];
    const { names, clashes } = assignToolNames(refs);
    assert.equal(names.size, refs.length);
    assert.deepEqual(clashes, []);
    for (const [name, ref] of names) {
      assert.match(name, TOOL_NAME_PATTERN);
      assert.equal(namespacedToolName(ref.server, ref.tool), name);
    }
    assert.deepEqual([...names.values()], refs);
  });

  it('resolves a clash with a tool literally named like a shortened one', () => {
    const shortened = namespacedToolName('fs', 'read.file');
    const literal = shortened.slice('fs__'.length);
    const { names, clashes } = assignToolNames([
      { server: 'fs', tool: 'read.file' },
      { server: 'fs', tool: literal },
    ]);
    assert.deepEqual(clashes, [shortened]);
    assert.equal(names.size, 2);
    assert.deepEqual(names.get(shortened), { server: 'fs', tool: 'read.file' });
    const other = [...names.entries()].find(([, ref]) => ref.tool === literal);
    assert.ok(other);
    assert.match(other[0], TOOL_NAME_PATTERN);
    assert.notEqual(other[0], shortened);
  });
});

describe('buildCatalog: names a server should not send', () => {
  const tool = (name: string) => ({ name, inputSchema: { type: 'object' as const } });
  it('offers a 128-character name (shortened for Claude) and refuses a longer or empty one', () => {
    const catalog = buildCatalog([{ server: 's', tools: [tool('x'.repeat(128)), tool('y'.repeat(129)), tool('z'.repeat(1_000_000)), tool(''), tool('ok')], available: true }]);
    assert.equal(catalog.tools.length, 2);
    assert.deepEqual(catalog.tools.map((t) => t.tool.length), [128, 2]);
    assert.ok(catalog.tools.every((t) => TOOL_NAME_PATTERN.test(t.name)));
    assert.deepEqual(catalog.refused, [
      { server: 's', length: 129 },
      { server: 's', length: 1_000_000 },
      { server: 's', length: 0 },
    ]);
    assert.equal(catalog.index.size, 2, 'a refused tool cannot be called by a guessed name either');
  });
});
