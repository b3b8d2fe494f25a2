// Faults of the model API, through the real bot: Claude answering 429, 529 or 500 (after the SDK's
// retries; ANTHROPIC_MAX_RETRIES is 1 here), failing mid-stream, or clearing on a retry. Each test
// runs in its own thread: a first exchange that works, the fault, then a following question that
// must be answered with the first exchange still in its history (what was stored is not lost, and
// nothing half-written was added). Claude going silent is faults-model-timeout.test.ts; an answer
// stopped by the policy's time limit is test/e2e/policy-turn.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { answerTo, inOrder, startFaultBot, TECHNICAL, transcriptOf, type Asked, type FaultBot, type Plan } from '../helpers/fault-harness.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('faults: the model API', () => {
  let bot: FaultBot;
  before(async () => {
    bot = await startFaultBot({ servers: {} });
  });
  after(async () => {
    await bot?.stop();
  });

  /**
   * A thread with a good first exchange, then `plan` for the second question; returns what the
   * second question got. Then a third question: answered, and its request holds the first exchange
   * before it.
   */
  async function faultInThread(channel: string, plan: Plan, check: (faulty: Asked, word: string) => void): Promise<void> {
    const [first, second, third] = ['first', 'fault', 'after'].map((w) => `q-${channel.toLowerCase()}-${w}`) as [string, string, string];
    const opened = await bot.ask({ channel, word: first });
    assert.match(opened.text, new RegExp(answerTo(first)));

    bot.plan(second, plan);
    const faulty = await bot.ask({ channel, word: second, thread: opened.thread });
    assert.doesNotMatch(faulty.text, TECHNICAL, 'no stack trace or raw API error in the thread');
    check(faulty, second);

    const next = await bot.ask({ channel, word: third, thread: opened.thread });
    assert.match(next.text, new RegExp(answerTo(third)), 'the bot keeps serving the thread');
    const history = transcriptOf(bot.callsFor(third)[0]);
    assert.ok(inOrder(history, [first, answerTo(first), third]), `the first exchange is still in the history: ${JSON.stringify(history)}`);
    assert.equal(history[0]?.[0], 'user');
    assert.equal(history[1]?.[0], 'assistant');
  }

  /** The fault's whole visible answer is one warning sentence. */
  const oneSentence = (sentence: string) => (faulty: Asked) => {
    assert.equal(faulty.messages.length, 1, 'one message');
    assert.equal(faulty.text.trim(), `:warning: ${sentence}`);
  };

  it('the model answering 429 with retry-after: after the retry, one plain sentence says Claude is getting too many requests', async () => {
    const limited = reply.error(429, { retryAfterSeconds: 1, message: 'Number of request tokens has exceeded your per-minute rate limit' });
    await faultInThread('C4290', [limited, limited], (faulty, word) => {
      oneSentence("Claude is getting too many requests from this bot right now (429); please try again in a minute.")(faulty);
      assert.equal(bot.callsFor(word).length, 2, 'the SDK retried once before giving up');
    });
  });

  it('the model answering 529: one plain sentence says Claude is overloaded', async () => {
    await faultInThread('C5290', [reply.overloaded(), reply.overloaded()], (faulty, word) => {
      oneSentence('Claude is overloaded right now (529); please try again in a minute.')(faulty);
      assert.equal(bot.callsFor(word).length, 2);
    });
  });

  it('the model answering 500 after the SDK retries: one plain sentence says Claude had an internal error', async () => {
    const broken = reply.error(500, { message: 'Internal server error at shard 7' });
    await faultInThread('C5000', [broken, broken], (faulty, word) => {
      oneSentence("Claude's API had an internal error (500); please try again in a minute.")(faulty);
      assert.equal(bot.callsFor(word).length, 2);
    });
  });

  it('a 529 that clears on the retry: the answer arrives normally, with no warning', async () => {
    await faultInThread('C5291', [reply.overloaded(), reply.text('Answer after one retry.')], (faulty, word) => {
      assert.match(faulty.text, /Answer after one retry\./);
      assert.doesNotMatch(faulty.text, /:warning:/);
      assert.equal(faulty.messages[0]?.stream, 'stopped', 'streamed and finished as usual');
      assert.equal(bot.callsFor(word).length, 2);
    });
    // The answer that came after the retry is part of the history, once.
    const history = transcriptOf(bot.callsFor('q-c5291-after')[0]);
    assert.equal(history.filter(([role, text]) => role === 'assistant' && text.includes('Answer after one retry.')).length, 1);
  });

  it('the model failing mid-answer (an overloaded error inside the stream): the words so far, then one plain sentence; the half answer is not stored', async () => {
    await faultInThread('C5292', [reply.streamError('Here is the start of an answer that')], (faulty) => {
      assert.match(faulty.text, /Here is the start of an answer that/);
      assert.match(faulty.text, /:warning: Claude is overloaded right now \(529\); please try again in a minute\.$/);
    });
    const history = JSON.stringify(bot.callsFor('q-c5292-after')[0]?.messages);
    assert.doesNotMatch(history, /the start of an answer/, 'the cut answer is not in the stored history');
  });

  it('sent nothing the Messages API would refuse, whatever failed before', () => {
    assert.deepEqual(bot.h.anthropic.rejections, []);
  });
});
