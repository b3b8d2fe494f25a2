// The SQLite file holds every conversation: whoever else shares the machine must not read it. The
// store and the inbox both create it (and a missing folder) private to the bot's OS user.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createSqliteInbox } from '../../src/intake/sqlite.js';
import { openStore } from '../../src/store.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the sqlite file and its folder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'private-file-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  // A permissive umask, as on many servers: the modes must not depend on it.
  const umask = process.umask(0o002);
  after(() => process.umask(umask));

  test('the store creates its folder 0700 and its file 0600 (the -wal file too)', async () => {
    const file = path.join(root, 'store', 'data', 'bot.sqlite');
    const store = await openStore(`sqlite://${file}`);
    try {
      await store.set('k', 'secret history');
      assert.equal(mode(path.dirname(file)).toString(8), '700');
      assert.equal(mode(path.join(root, 'store')).toString(8), '700');
      assert.equal(mode(file).toString(8), '600');
      assert.equal(mode(`${file}-wal`).toString(8), '600');
    } finally {
      await store.disconnect();
    }
  });

  test('the inbox creates its file 0600 when it opens the file first', async () => {
    const file = path.join(root, 'inbox', 'bot.sqlite');
    const inbox = await createSqliteInbox(file, { claimTtlMs: 60_000, engagedTtlMs: 60_000 });
    try {
      assert.equal(mode(path.dirname(file)).toString(8), '700');
      assert.equal(mode(file).toString(8), '600');
    } finally {
      await inbox.close();
    }
  });

  test('an existing file keeps its data and the mode its admin chose', async () => {
    const file = path.join(root, 'kept.sqlite');
    writeFileSync(file, '', { mode: 0o640 });
    const store = await openStore(`sqlite://${file}`);
    try {
      await store.set('k', 'v');
      assert.equal(await store.get('k'), 'v');
      assert.equal(mode(file).toString(8), '640');
    } finally {
      await store.disconnect();
    }
  });
});
