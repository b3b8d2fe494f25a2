// The primary's routing (WORKERS > 1): every event of a thread goes to the worker that takes that
// thread's questions from the sqlite inbox; what is not about a thread has no fixed worker.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workerForBody } from '../../src/process/route.js';
import { conversationHash, threadHash, workerOf } from '../../src/process/shard.js';
import { appMention, messageEvent, nextTs } from '../helpers/sign.js';

const JSON_TYPE = 'application/json';
const body = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('which worker gets a request', () => {
  it('sends a mention, its message twin and a follow-up in its thread to the worker that takes the thread', () => {
    for (let i = 0; i < 20; i++) {
      const channel = `C${i}`;
      const ts = nextTs();
      const owner = workerOf(conversationHash(`T1:${channel}:${ts}`), 3);
      assert.equal(workerForBody(body(appMention({ channel, user: 'U1', text: 'hi', ts })), JSON_TYPE, 3), owner);
      assert.equal(workerForBody(body(messageEvent({ channel, user: 'U1', text: 'hi', ts })), JSON_TYPE, 3), owner);
      assert.equal(workerForBody(body(messageEvent({ channel, user: 'U2', text: 'more', ts: nextTs(), thread_ts: ts })), JSON_TYPE, 3), owner);
    }
  });

  it('spreads threads over every worker', () => {
    const used = new Set(Array.from({ length: 40 }, (_, i) => workerOf(threadHash(`C${i}`, nextTs()), 2)));
    assert.deepEqual([...used].sort(), [0, 1]);
  });

  it('leaves buttons, commands, url_verification and bodies it cannot read to any worker', () => {
    assert.equal(workerForBody(Buffer.from('payload=%7B%7D'), 'application/x-www-form-urlencoded', 2), undefined);
    assert.equal(workerForBody(body({ type: 'url_verification', challenge: 'x' }), JSON_TYPE, 2), undefined);
    assert.equal(workerForBody(body({ type: 'event_callback', event: { type: 'app_home_opened', user: 'U1' } }), JSON_TYPE, 2), undefined);
    assert.equal(workerForBody(Buffer.from('{not json'), JSON_TYPE, 2), undefined);
  });
});
