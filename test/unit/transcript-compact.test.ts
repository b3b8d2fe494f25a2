// A thread's stored transcript past its size cap: the oldest tool results become short notes (tool
// and size named), the latest turn is never touched, whole old turns go only when notes are not
// enough, and the result is always a transcript the API accepts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValid } from '../../src/agent/transcript.js';
import { bytesOf, compactToSize, wasCompacted } from '../../src/agent/transcript-compact.js';
import type { Transcript } from '../../src/agent/types.js';

function turn(n: number, resultChars: number, answerChars = 20): Transcript {
  const id = `toolu_${n}`;
  return [
    { role: 'user', content: [{ type: 'text', text: `question ${n}` }] },
    { role: 'assistant', content: [{ type: 'tool_use', id, name: 'files__read', input: { n } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: [{ type: 'text', text: String(n % 10).repeat(resultChars) }] }] },
    { role: 'assistant', content: [{ type: 'text', text: `answer ${n} `.padEnd(answerChars, '.') }] },
  ];
}
const thread = (turns: number, resultChars: number, answerChars?: number): Transcript => Array.from({ length: turns }, (_, n) => turn(n, resultChars, answerChars)).flat();
const size = (t: Transcript) => t.reduce((sum, m) => sum + bytesOf(m), 0);
const resultText = (t: Transcript, index: number) => JSON.stringify(t[index]?.content);

describe('compactToSize', () => {
  it('leaves a thread under its cap exactly as it is', () => {
    const t = thread(3, 1000);
    const c = compactToSize(t, 100_000);
    assert.equal(c.messages, t);
    assert.equal(wasCompacted(c.messages), false);
  });

  it('replaces the oldest tool results first, down to three quarters of the cap, and names the tool and size', () => {
    const t = thread(10, 10_000);
    const c = compactToSize(t, 60_000);
    assert.ok(c.after <= 45_000 && c.after === size(c.messages), `${c.after}`);
    assert.ok(c.results > 0 && c.turns === 0);
    assert.match(resultText(c.messages, 2), /\[compacted: the result of files__read \(10,\d{3} bytes\) was removed/);
    assert.equal(resultText(c.messages, 38), resultText(t, 38), 'the latest turn keeps its result');
    assert.equal(resultText(c.messages, 34), resultText(t, 34), 'newer results are kept while the thread fits');
    assert.ok(isValid(c.messages));
    assert.equal(wasCompacted(c.messages), true);
  });

  it('drops the oldest whole turns when notes are not enough, and says so at the start', () => {
    const t = thread(30, 10, 3000);
    const c = compactToSize(t, 40_000);
    assert.ok(c.turns > 0);
    assert.ok(c.after <= 30_000 + 200, `${c.after}`);
    assert.ok(isValid(c.messages));
    assert.equal(c.messages[0]?.role, 'user');
    assert.match(JSON.stringify(c.messages[0]), /earlier turns of this thread were removed/);
    assert.deepEqual(c.messages.at(-1), t.at(-1));
    assert.equal(wasCompacted(c.messages), true);
    // Compacting again does not stack notes at the start.
    const again = compactToSize([...c.messages, ...turn(99, 10, 20_000)], 40_000);
    assert.equal((JSON.stringify(again.messages[0]).match(/earlier turns/g) ?? []).length, 1);
  });

  it('never touches the latest turn, even when it alone is over the cap', () => {
    const t = thread(1, 50_000);
    const c = compactToSize(t, 10_000);
    assert.equal(c.messages, t);
    assert.deepEqual([c.results, c.turns], [0, 0]);
  });
});
