// The inbox, on each store (memory, a sqlite file, the shared Redis at REDIS_URL or 127.0.0.1:6379
// with a key prefix of this run's own): accepting is claim + engaged check + append in one step,
// a thread's questions are taken head first and one at a time, other threads go on, and a question
// taken again (after a release, a restart, or a dead replica's lease) carries its attempt count.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectRedis } from '../../src/coordination/redis-link.js';
import { createMemoryInbox } from '../../src/intake/memory.js';
import { createRedisInbox } from '../../src/intake/redis.js';
import { createSqliteInbox } from '../../src/intake/sqlite.js';
import type { Inbox } from '../../src/intake/types.js';
import type { Question } from '../../src/slack/intake/question.js';
import { deleteKeysWith, REDIS_URL, runId } from '../helpers/replica-redis.js';

const TTL = { claimTtlMs: 60_000, engagedTtlMs: 60_000 };
let seq = 0;

function question(thread: string, text: string): Question {
  const ts = `1700000000.${String(++seq).padStart(6, '0')}`;
  return { teamId: 'T1', channel: 'C1', ts, threadTs: thread, userId: 'U1', text, isDirect: false, key: `T1:C1:${thread}` };
}
const ids = (q: Question, eventId?: string) => [`msg:${q.channel}:${q.ts}`, ...(eventId ? [`event:${eventId}`] : [])];
const accept = (inbox: Inbox, q: Question, eventId?: string, onlyIfEngaged = false) => inbox.accept(q, { ids: ids(q, eventId), onlyIfEngaged });

const dir = mkdtempSync(path.join(tmpdir(), 'intake-'));
const RUN = runId();
const opened: Inbox[] = [];
after(async () => {
  await Promise.all(opened.map((inbox) => inbox.close().catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
  await deleteKeysWith(RUN);
});

let prefixes = 0;
/** Each test its own key prefix (its own inbox); replicas of one test share theirs. */
async function redisInbox(name: string, leaseMs = 10_000, prefix = `test:${RUN}:${++prefixes}:`): Promise<Inbox> {
  const inbox = createRedisInbox({ ...TTL, link: await connectRedis(REDIS_URL), prefix, owner: name, leaseMs });
  opened.push(inbox);
  return inbox;
}
const kinds: Record<string, () => Promise<Inbox>> = {
  memory: () => Promise.resolve(createMemoryInbox(TTL)),
  sqlite: async () => {
    const inbox = await createSqliteInbox(path.join(dir, `${runId()}.sqlite`), TTL);
    opened.push(inbox);
    return inbox;
  },
  redis: () => redisInbox('one'),
};

for (const [kind, open] of Object.entries(kinds)) {
  describe(`inbox on ${kind}`, () => {
    it('accepts a question once: a retry or a twin sharing any id is a duplicate', async () => {
      const inbox = await open();
      const thread = `${RUN}.a${kind}`;
      const q = question(thread, 'first');
      assert.equal(await accept(inbox, q, 'Ev1' + kind), 'accepted');
      assert.equal(await accept(inbox, q, 'Ev1' + kind), 'duplicate', 'the same event again');
      assert.equal(await accept(inbox, q, 'Ev2' + kind), 'duplicate', 'the message twin (same channel + ts)');
      assert.equal(await inbox.size(), 1);
    });

    it('takes a plain reply only in a thread that is the bot\'s, from the moment a mention in it is accepted', async () => {
      const inbox = await open();
      const thread = `${RUN}.b${kind}`;
      assert.equal(await accept(inbox, question(thread, 'plain'), undefined, true), 'not-engaged');
      assert.equal(await inbox.isEngaged(`T1:C1:${thread}`), false);
      assert.equal(await accept(inbox, question(thread, 'mention')), 'accepted');
      assert.equal(await inbox.isEngaged(`T1:C1:${thread}`), true, 'engaged before any answer');
      assert.equal(await accept(inbox, question(thread, 'plain again'), undefined, true), 'accepted');
    });

    it('gives a thread\'s questions head first, one at a time, while other threads go on', async () => {
      const inbox = await open();
      const [a, b] = [`${RUN}.c${kind}`, `${RUN}.d${kind}`];
      for (const q of [question(a, 'a1'), question(a, 'a2'), question(b, 'b1')]) assert.equal(await accept(inbox, q), 'accepted');
      const first = await inbox.take();
      const second = await inbox.take();
      assert.deepEqual([first?.entry.question.text, second?.entry.question.text].sort(), ['a1', 'b1']);
      assert.equal(await inbox.take(), undefined, 'a2 waits until a1 is finished');
      const a1 = first?.entry.question.text === 'a1' ? first : second;
      assert.ok(a1);
      assert.equal(a1.attempt, 1);
      await inbox.finish(a1);
      const next = await inbox.take();
      assert.equal(next?.entry.question.text, 'a2');
      assert.equal(await inbox.size(), 2, 'a2 and b1 are not finished');
    });

    it('takes the heads of many threads in one go, one question per thread, never a thread already held', async () => {
      const inbox = await open();
      const [a, b, c] = [`${RUN}.m${kind}`, `${RUN}.n${kind}`, `${RUN}.o${kind}`];
      for (const q of [question(a, 'a1'), question(a, 'a2'), question(b, 'b1'), question(c, 'c1')]) assert.equal(await accept(inbox, q), 'accepted');
      const held = await inbox.take();
      assert.equal(held?.entry.question.text, 'a1', 'the oldest head first');
      const many = await inbox.takeMany(10);
      assert.deepEqual(many.map((t) => t.entry.question.text).sort(), ['b1', 'c1'], 'a2 waits behind a1, which is held');
      assert.ok(many.every((t) => t.attempt === 1));
      assert.deepEqual(await inbox.takeMany(10), [], 'nothing left to take');
      if (held) await inbox.finish(held);
      const rest = await inbox.takeMany(1);
      assert.deepEqual(rest.map((t) => t.entry.question.text), ['a2']);
    });

    it('counts the attempts of a question given back unfinished', async () => {
      const inbox = await open();
      const thread = `${RUN}.e${kind}`;
      await accept(inbox, question(thread, 'again'));
      const taken = await inbox.take();
      assert.ok(taken);
      await inbox.release(taken);
      const again = await inbox.take();
      assert.equal(again?.entry.question.text, 'again');
      assert.equal(again?.attempt, 2);
    });
  });
}

describe('inbox on sqlite: a crash', () => {
  it('the restarted bot takes every accepted question with no finished answer, the interrupted one counted', async () => {
    const file = path.join(dir, 'crash.sqlite');
    const before = await createSqliteInbox(file, TTL);
    await accept(before, question('9.1', 'interrupted'));
    await accept(before, question('9.1', 'behind it'));
    await accept(before, question('9.2', 'other thread'));
    assert.equal((await before.take())?.entry.question.text, 'interrupted'); // the process dies here
    await before.close();
    const after = await createSqliteInbox(file, TTL);
    opened.push(after);
    const first = await after.take();
    assert.equal(first?.entry.question.text, 'interrupted');
    assert.equal(first?.attempt, 2);
    assert.equal((await after.take())?.entry.question.text, 'other thread');
    assert.equal(await after.take(), undefined, "'behind it' waits for 'interrupted'");
  });
});

describe('inbox on Redis: replicas', () => {
  it("another replica takes a dead replica's question after its lease, not before, with the attempt counted", async () => {
    const leaseMs = 600;
    const prefix = `test:${RUN}:dying:`;
    const dying = await redisInbox('dying', leaseMs, prefix);
    const survivor = await redisInbox('survivor', leaseMs, prefix);
    const thread = `${RUN}.f`;
    await accept(dying, question(thread, 'held'));
    await accept(dying, question(thread, 'follow-up'));
    const taken = await dying.take();
    assert.equal(taken?.entry.question.text, 'held');
    assert.equal(await survivor.take(), undefined, 'held by a live replica');
    await dying.close(); // stops renewing, as a killed process would; nothing is finished
    const startedAt = Date.now();
    let again = await survivor.take();
    while (!again && Date.now() - startedAt < leaseMs + 5000) {
      await sleep(50);
      again = await survivor.take();
    }
    assert.equal(again?.entry.question.text, 'held', 'the head, not the follow-up behind it');
    assert.equal(again?.attempt, 2);
    assert.ok(Date.now() - startedAt >= leaseMs - 100, 'not before the lease ran out');
  });

  it('a replica that keeps working keeps its thread past the lease', async () => {
    const leaseMs = 300;
    const prefix = `test:${RUN}:working:`;
    const worker = await redisInbox('worker', leaseMs, prefix);
    const other = await redisInbox('other', leaseMs, prefix);
    await accept(worker, question(`${RUN}.g`, 'long'));
    const taken = await worker.take();
    assert.ok(taken);
    await sleep(leaseMs * 4);
    assert.equal(await other.take(), undefined);
    assert.equal(taken.lost.aborted, false);
    await worker.finish(taken);
  });
});
