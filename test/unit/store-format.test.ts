// The store's text format: entries written by an older version of the bot (Keyv's default
// serializer) read the same now, entries written now read the same by an older version, and values
// Keyv escapes (strings that start with ":", such as a Slack emoji code, and Buffers) survive both ways.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import KeyvSqlite from '@keyv/sqlite';
import Keyv from 'keyv';
import { openStore } from '../../src/store.js';
import { deserializeFromStore, serializeForStore } from '../../src/store-serialize.js';

const transcript = {
  format: 1,
  messages: [
    { role: 'user', content: [{ type: 'text', text: ':white_check_mark: is this done?' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'everything__echo', input: { message: '::two colons', ':key': ':base64:not a buffer' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a, b: "c" [d]: {e}' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Done: ü, 日本, \\ and "quotes":' }] },
  ],
  usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  updatedAt: '2026-11-30T05:00:00.000Z',
};
const plain = { format: 1, messages: [{ role: 'user', content: 'no colons at the start of any string' }], list: [1, 2, 3], at: 5 };
const values: [string, unknown][] = [
  ['a transcript with colon strings', transcript],
  ['a transcript without any', plain],
  ['a string that starts with a colon', ':tada:'],
  ['a list of recent threads', [{ key: 'T1:C1:1.2', channel: 'C1', threadTs: '1.2', title: ':wave: hi', at: 1 }]],
  ['a number', 42],
  ['true', true],
];

describe('store format', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'store-format-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, value] of values) {
    it(`${name}: written now, read by Keyv's default (an older version) and by this version, unchanged`, async () => {
      const wrapped = { value, expires: 123 };
      const text = serializeForStore(wrapped);
      const keyvDefault = new Keyv();
      assert.deepEqual(await keyvDefault.deserializeData(text), wrapped);
      assert.deepEqual(deserializeFromStore(text), wrapped);
    });

    it(`${name}: written by Keyv's default (an older version), read now, unchanged`, async () => {
      const wrapped = { value, expires: 123 };
      const text = await new Keyv().serializeData(wrapped);
      assert.equal(typeof text, 'string');
      assert.deepEqual(deserializeFromStore(text as string), wrapped);
    });
  }

  it('a Buffer is written as Keyv writes it and read back as a Buffer', async () => {
    const wrapped = { value: { bytes: Buffer.from('hello') } };
    const text = serializeForStore(wrapped);
    assert.equal(text, await new Keyv().serializeData(wrapped));
    assert.deepEqual(deserializeFromStore<{ bytes: Buffer }>(text)?.value?.bytes, Buffer.from('hello'));
  });

  it('a sqlite file written by an older version reads the same through openStore, and the other way round', async () => {
    const file = path.join(dir, 'both.sqlite');
    const store = await openStore(`sqlite://${file}`);
    const older = new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${file}` }), namespace: 'bot' });
    await older.set('conversation:old', transcript);
    assert.deepEqual(await store.get('conversation:old'), transcript);
    await store.set('conversation:new', transcript);
    assert.deepEqual(await older.get('conversation:new'), transcript);
    await Promise.all([store.disconnect(), older.disconnect()]);
  });
});
