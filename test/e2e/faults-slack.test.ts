// Faults of the Slack Web API, through the real bot: rate limits (429 with Retry-After) on every
// method an answer uses, in a busy channel; HTTP 500s, after which the bot looks in the thread before
// it sends again (slack-lost-responses.test.ts covers responses lost after Slack did the call); and platform
// errors on the stream methods, after which the bot posts the rest of the answer instead. Every
// answer must arrive complete and once, the thread's history must keep every exchange, and the
// bot must go on answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import type { Failure } from '../fakes/slack-api.js';
import { answerTo, inOrder, startFaultBot, transcriptOf, type Asked, type FaultBot } from '../helpers/fault-harness.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

/** A reply long enough to take several appends, naming its question. */
const longAnswer = (word: string) =>
  `${word}: ` + Array.from({ length: 14 }, (_, i) => `Sentence ${i + 1} of the answer to ${word}.`).join(' ') + ` The end of ${word}.`;

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('faults: the Slack Web API', () => {
  let bot: FaultBot;
  before(async () => {
    bot = await startFaultBot({ servers: {} });
  });
  after(async () => {
    await bot?.stop();
  });

  /** Plans a long, slowly streamed answer for each question (over `durationMs`). */
  const planLongOver = (durationMs: number, ...words: string[]) => {
    for (const word of words) bot.plan(word, [reply.text(longAnswer(word), { stream: { chunks: 8, durationMs } })]);
  };
  const planLong = (...words: string[]) => planLongOver(600, ...words);

  /** The whole answer is there, once, with one set of feedback buttons, whatever messages carry it. */
  function complete(asked: Asked, word: string): void {
    // Whole, in order, and nothing twice: the messages together read exactly as the answer.
    assert.equal(squash(asked.text), squash(longAnswer(word)), `${word} arrived whole and once`);
    const feedback = asked.messages.flatMap((m) => m.blocks ?? []).filter((b) => b.type === 'context_actions');
    assert.equal(feedback.length, 1, `${word}: one set of feedback buttons`);
  }

  /** Runs `fault` between an opening exchange and a following question in a fresh thread. */
  async function faultInThread(channel: string, failures: [method: string, failure: Failure][], check: (asked: Asked, word: string) => void) {
    const [first, second, third] = ['first', 'fault', 'after'].map((w) => `q-${channel.toLowerCase()}-${w}`) as [string, string, string];
    const opened = await bot.ask({ channel, word: first });
    planLong(second);
    const before = bot.h.slack.calls().length;
    for (const [method, failure] of failures) bot.h.slack.failNext(method, failure);
    const faulty = await bot.ask({ channel, word: second, thread: opened.thread });
    const failed = bot.h.slack.calls().slice(before).filter((c) => c.status !== 200 || c.response?.ok === false);
    assert.equal(failed.length, failures.length, `every injected failure was met: ${failed.map((c) => c.method).join()}`);
    check(faulty, second);
    const next = await bot.ask({ channel, word: third, thread: opened.thread });
    assert.match(next.text, new RegExp(answerTo(third)));
    const history = transcriptOf(bot.callsFor(third)[0]);
    assert.ok(inOrder(history, [first, answerTo(first), second, `The end of ${second}.`, third]), JSON.stringify(history));
  }

  it('a busy channel with Slack answering 429 on startStream, appendStream, stopStream, postMessage and update: all ten answers arrive complete, nothing dropped', async () => {
    const channel = 'C8000';
    const slack = bot.h.slack;
    const threads = Array.from({ length: 10 }, (_, i) => `q-busy${i}`);
    // Ten threads, opened at once without faults.
    const opened = await Promise.all(threads.map((word) => bot.ask({ channel, word: `${word}-first` })));

    const limited: Failure = { status: 429, retryAfter: 1 };
    const start = slack.calls().length;
    slack.failNext('chat.startStream', limited, 2);
    slack.failNext('chat.appendStream', limited, 2);
    slack.failNext('chat.stopStream', limited, 1);
    // Three streams break (as when Slack ends one): their answers go on as posted messages, which
    // then meet the 429s of postMessage and update.
    slack.failNext('chat.appendStream', { error: 'internal_error' }, 3);
    slack.failNext('chat.postMessage', limited, 2);
    slack.failNext('chat.update', limited, 2);
    const busy = threads.map((word) => `${word}-busy`);
    // Slow enough that appends still come after the client's pauses for the 429s (the WebClient
    // holds all its calls for Retry-After): text that waits meanwhile joins the next call.
    planLongOver(4000, ...busy);
    const answers = await Promise.all(busy.map((word, i) => bot.ask({ channel, word, thread: opened[i]?.thread }, 40_000)));

    const met = slack.calls().slice(start).filter((c) => c.status === 429).map((c) => c.method);
    for (const method of ['chat.startStream', 'chat.appendStream', 'chat.stopStream', 'chat.postMessage', 'chat.update']) {
      assert.ok(met.includes(method), `Slack rate-limited ${method} (met: ${met.join()})`);
    }
    assert.equal(slack.calls().slice(start).filter((c) => c.response?.error === 'internal_error').length, 3, 'three streams broke');
    answers.forEach((asked, i) => complete(asked, busy[i] ?? ''));
    assert.ok(answers.some((a) => a.messages.some((m) => m.stream === undefined)), 'some answers went on as posted messages');

    // Every thread goes on, with both exchanges in its history.
    const after = threads.map((word) => `${word}-after`);
    const next = await Promise.all(after.map((word, i) => bot.ask({ channel, word, thread: opened[i]?.thread })));
    next.forEach((asked, i) => {
      const word = after[i] ?? '';
      assert.match(asked.text, new RegExp(answerTo(word)));
      const history = transcriptOf(bot.callsFor(word)[0]);
      assert.ok(inOrder(history, [`${threads[i]}-first`, answerTo(`${threads[i]}-first`), busy[i] ?? '', `The end of ${busy[i]}.`, word]), JSON.stringify(history));
    });
  });

  it('Slack answering 500 on chat.startStream: the bot finds no stream in the thread, starts again, and the answer streams complete', async () => {
    await faultInThread('C8100', [['chat.startStream', { status: 500 }]], (asked, word) => {
      complete(asked, word);
      assert.deepEqual(asked.messages.map((m) => m.stream), ['stopped'], 'one streamed message, finished');
    });
  });

  it('Slack answering 500 on chat.appendStream: the bot sets the message\'s whole text, and the answer arrives complete in one message', async () => {
    await faultInThread('C8200', [['chat.appendStream', { status: 500 }]], (asked, word) => {
      complete(asked, word);
      assert.deepEqual(asked.messages.map((m) => m.stream), ['stopped']);
    });
  });

  it('Slack failing chat.appendStream (internal_error): the rest of the answer is posted, and the answer arrives complete', async () => {
    await faultInThread('C8300', [['chat.appendStream', { error: 'internal_error' }]], (asked, word) => {
      complete(asked, word);
      assert.equal(asked.messages.length, 2, 'the streamed start, then a posted message with the rest');
      assert.equal(asked.messages[1]?.stream, undefined);
    });
  });

  it('Slack failing chat.startStream (fatal_error): the answer is posted instead, complete', async () => {
    await faultInThread('C8400', [['chat.startStream', { error: 'fatal_error' }]], (asked, word) => {
      complete(asked, word);
      assert.deepEqual(asked.messages.map((m) => m.stream), [undefined], 'one posted message');
    });
  });
});
