import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Keyv from 'keyv';
import { createDedupe } from '../../src/slack/dedupe.js';
import { openStore } from '../../src/store.js';

describe('createDedupe', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dedupe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the first claim wins; a retry with the same event_id does not', async () => {
    const dedupe = createDedupe({ store: new Keyv() });
    assert.equal(await dedupe.claim(['event:Ev1', 'msg:C1:1.000001']), true);
    assert.equal(await dedupe.claim(['event:Ev1', 'msg:C1:1.000001']), false);
    assert.equal(await dedupe.claim(['event:Ev2', 'msg:C1:2.000001']), true);
  });

  test('the app_mention and message twins of one message are answered once, even when they race', async () => {
    const dedupe = createDedupe({ store: new Keyv() });
    const results = await Promise.all([
      dedupe.claim(['event:EvMention', 'msg:C1:3.000001']),
      dedupe.claim(['event:EvMessage', 'msg:C1:3.000001']),
    ]);
    assert.deepEqual(results.sort(), [false, true]);
    // The duplicate's own event id is remembered too: its retry is a duplicate as well.
    assert.equal(await dedupe.claim(['event:EvMessage']), false);
  });

  test('claims survive a restart: a new process on the same sqlite file sees them', async () => {
    const url = `sqlite://${path.join(dir, 'bot.sqlite')}`;
    const first = await openStore(url);
    assert.equal(await createDedupe({ store: first }).claim(['event:EvRestart', 'msg:C9:9.000001']), true);
    await first.disconnect();

    const second = await openStore(url);
    try {
      const dedupe = createDedupe({ store: second });
      assert.equal(await dedupe.claim(['event:EvRetry', 'msg:C9:9.000001']), false);
      assert.equal(await dedupe.claim(['event:EvOther', 'msg:C9:10.000001']), true);
    } finally {
      await second.disconnect();
    }
  });

  test('a claim is forgotten after its TTL', async () => {
    const dedupe = createDedupe({ store: new Keyv(), ttlMs: 5 });
    assert.equal(await dedupe.claim(['event:EvShort']), true);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(await dedupe.claim(['event:EvShort']), true);
  });

  test('no ids means nothing to recognise: the event is taken', async () => {
    const dedupe = createDedupe({ store: new Keyv() });
    assert.equal(await dedupe.claim([]), true);
    assert.equal(await dedupe.claim(['']), true);
  });
});
