// The Redis store going away and coming back, through the real bot: STORE_URL points at a TCP proxy
// in front of the shared test Redis (REDIS_URL or 127.0.0.1:6379; the test runner starts one if
// none listens), which the test cuts and restores. While Redis is away a question gets one plain
// sentence and nothing is written; once it is back the thread goes on with its whole history.
// Every key this run writes carries its run id (channels, users, event ids) and is deleted after.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { answerTo, inOrder, startFaultBot, TECHNICAL, transcriptOf, type FaultBot } from '../helpers/fault-harness.js';
import { startFaultRedisProxy, type FaultRedisProxy } from '../helpers/fault-redis.js';
import { deleteKeysWith, runId, withRedis } from '../helpers/replica-redis.js';
import { DEFAULT_TEAM_ID } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

const RUN = runId().toUpperCase();
const USER = `U${RUN}`;
const STORE_AWAY = ':warning: I cannot reach my store right now, so I cannot answer; please ask again in a minute.';

interface StoredMessage {
  role: string;
  content: { type: string; text?: string }[];
}

/** The conversation of a thread as Redis holds it (read directly, not through the proxy). */
async function stored(channel: string, thread: string): Promise<{ raw: string | null; messages: StoredMessage[] }> {
  const raw = await withRedis((client) => client.get(`bot::conversation:${DEFAULT_TEAM_ID}:${channel}:${thread}`));
  const parsed = raw === null ? undefined : (JSON.parse(raw) as { value?: { messages?: StoredMessage[] } });
  return { raw, messages: parsed?.value?.messages ?? [] };
}

const texts = (messages: StoredMessage[]) => messages.map((m) => `${m.role}: ${m.content.map((b) => b.text ?? `[${b.type}]`).join(' ')}`);

describe('faults: the Redis store going away and coming back', () => {
  let proxy: FaultRedisProxy;
  let bot: FaultBot;
  /** How many connections the bot keeps to Redis (the store's and the coordinator's). */
  let clients: number;
  before(async () => {
    await withRedis((client) => client.ping()); // fail at once, and clearly, without Redis
    proxy = await startFaultRedisProxy();
    // A short lock lease: a lock whose release could not reach Redis frees itself in 2 s.
    bot = await startFaultBot({ servers: {}, storeUrl: proxy.url, eventIdMarker: RUN, env: { LOCK_LEASE_MS: '2000' } });
    clients = proxy.answered();
    assert.ok(clients >= 1, 'the bot is connected to Redis through the proxy');
  });
  after(async () => {
    await bot?.stop();
    await proxy?.close();
    await deleteKeysWith(RUN);
  });

  it('Redis away: a question gets one plain sentence that the store is unreachable and nothing is written; Redis back: answered with the first exchange in its history', async () => {
    const channel = `C${RUN}1`;
    const first = await bot.ask({ channel, word: 'q-stored', user: USER });
    assert.match(first.text, /Answer to q-stored\./);
    const before = await stored(channel, first.thread);
    assert.deepEqual(texts(before.messages), ['user: q-stored', 'assistant: Answer to q-stored.'], 'the first exchange is stored');

    proxy.down();
    const away = await bot.askUntil({ channel, word: 'q-away', user: USER, thread: first.thread }, (text) => text.includes('store'));
    assert.equal(away.text, STORE_AWAY);
    assert.doesNotMatch(away.text, TECHNICAL);
    assert.equal(bot.callsFor('q-away').length, 0, 'no turn was started');
    const health = await bot.health();
    assert.equal(health.ready, true, 'the bot is still up');
    assert.equal(health.store, 'unreachable', '/healthz says the store is away');
    assert.equal((await stored(channel, first.thread)).raw, before.raw, 'nothing was written to the conversation');

    proxy.up();
    await proxy.reconnected(clients);
    const back = await bot.ask({ channel, word: 'q-back', user: USER, thread: first.thread });
    assert.match(back.text, /Answer to q-back\./);
    assert.equal((await bot.health()).store, 'open', '/healthz says the store is back');
    const history = transcriptOf(bot.callsFor('q-back')[0]);
    assert.ok(inOrder(history, ['q-stored', answerTo('q-stored'), 'q-back']), JSON.stringify(history));
    assert.doesNotMatch(JSON.stringify(history), /q-away/, 'the question Redis missed was never half-taken');
    assert.deepEqual(texts((await stored(channel, first.thread)).messages), [
      'user: q-stored',
      'assistant: Answer to q-stored.',
      'user: q-back',
      'assistant: Answer to q-back.',
    ]);
  });

  it('Redis going away while Claude answers: the answer still arrives, the stored history is not half-written, and the thread goes on once Redis is back', async () => {
    const channel = `C${RUN}2`;
    const first = await bot.ask({ channel, word: 'q-kept', user: USER });
    const before = await stored(channel, first.thread);

    let called!: () => void;
    const inCall = new Promise<void>((resolve) => (called = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bot.plan('q-midway', async () => {
      called();
      await gate;
      return reply.text('Answer given while Redis was away.');
    });
    const pending = bot.ask({ channel, word: 'q-midway', user: USER, thread: first.thread });
    await inCall; // the history is loaded and Claude is answering
    proxy.down();
    release();
    const midway = await pending;
    assert.match(midway.text, /Answer given while Redis was away\./);
    assert.match(midway.text, /will not remember it in this thread/, 'the person is told the answer is not remembered');
    assert.doesNotMatch(midway.text, TECHNICAL);
    assert.equal((await stored(channel, first.thread)).raw, before.raw, 'the stored conversation is as it was: nothing half-written');

    proxy.up();
    await proxy.reconnected(clients);
    const back = await bot.ask({ channel, word: 'q-after-midway', user: USER, thread: first.thread });
    assert.match(back.text, /Answer to q-after-midway\./);
    const history = transcriptOf(bot.callsFor('q-after-midway')[0]);
    assert.ok(inOrder(history, ['q-kept', answerTo('q-kept'), 'q-after-midway']), JSON.stringify(history));
    assert.deepEqual(bot.h.anthropic.rejections, [], 'what was sent after the outage is a valid transcript');
  });
});
