// The limits on a question: its length, and the deadline signal of a turn with its sentence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkMessageLength, turnDeadline, TurnTimeLimitError } from '../../src/policy/limits.js';
import { formatSeconds } from '../../src/policy/words.js';

describe('checkMessageLength', () => {
  it('takes a message up to the limit, and names the limit and the length beyond it', () => {
    assert.deepEqual(checkMessageLength('x'.repeat(8000), 8000), { ok: true });
    assert.deepEqual(checkMessageLength('', 8000), { ok: true });
    assert.deepEqual(checkMessageLength('x'.repeat(12_345), 8000), {
      ok: false,
      message: 'Your message is 12,345 characters long, and this bot takes at most 8,000; please shorten it or split it into parts.',
    });
  });
});

describe('the turn deadline', () => {
  it('says in one sentence how long the answer was allowed to take', () => {
    assert.equal(new TurnTimeLimitError(900).userMessage, 'This answer took longer than 15 minutes and was stopped.');
    assert.equal(new TurnTimeLimitError(60).userMessage, 'This answer took longer than 1 minute and was stopped.');
    assert.equal(new TurnTimeLimitError(7200).userMessage, 'This answer took longer than 2 hours and was stopped.');
    assert.equal(new TurnTimeLimitError(90).userMessage, 'This answer took longer than 90 seconds and was stopped.');
    assert.equal(formatSeconds(1), '1 second');
    assert.equal(formatSeconds(600), '10 minutes');
  });

  it('aborts with a TurnTimeLimitError when the time is up', async () => {
    const deadline = turnDeadline(0.01);
    assert.equal(deadline.signal.aborted, false);
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve, { once: true }));
    assert.ok(deadline.signal.reason instanceof TurnTimeLimitError);
    assert.equal(deadline.signal.reason.seconds, 0.01);
  });

  it('aborts with the parent\'s reason when the parent stops first, and not at all once cleared', (t) => {
    const parent = new AbortController();
    const deadline = turnDeadline(600, parent.signal);
    parent.abort(new Error('shutting down'));
    assert.equal(deadline.signal.aborted, true);
    assert.equal((deadline.signal.reason as Error).message, 'shutting down');
    deadline.clear();

    // Mocked timers: the time passes at once, and an uncleared deadline beside it shows it would have fired.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const cleared = turnDeadline(0.01);
    const running = turnDeadline(0.01);
    cleared.clear();
    t.mock.timers.tick(20);
    assert.equal(running.signal.aborted, true);
    assert.equal(cleared.signal.aborted, false);
  });
});
