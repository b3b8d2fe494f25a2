import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cutForLimit, openFenceAt, splitMarkdown } from '../../src/slack/reply/split.js';

/** A small seeded PRNG (mulberry32), so generated cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function markdownDoc(seed: number): string {
  const rnd = random(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const words = ['alpha', 'beta', 'gamma', 'delta', 'the', 'quick', 'fox', '**bold**', '`code`', 'naïve', '🙂', 'x'];
  const sentence = () => Array.from({ length: 3 + Math.floor(rnd() * 15) }, () => pick(words)).join(' ');
  const blocks: string[] = [];
  for (let i = 0; i < 25; i++) {
    const kind = rnd();
    if (kind < 0.45) blocks.push(Array.from({ length: 1 + Math.floor(rnd() * 4) }, sentence).join('\n'));
    else if (kind < 0.6) blocks.push(Array.from({ length: 2 + Math.floor(rnd() * 4) }, () => `- ${sentence()}`).join('\n'));
    else if (kind < 0.9) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 30) }, (_, n) => `  line_${n} = ${sentence()}`);
      blocks.push(['```' + pick(['python', 'ts', '']), ...lines, '```'].join('\n'));
    } else if (kind < 0.95) blocks.push('y'.repeat(50 + Math.floor(rnd() * 300)));
    else blocks.push('```js\n' + 'z'.repeat(100 + Math.floor(rnd() * 300)) + '\n```');
  }
  return blocks.join('\n\n') + (rnd() < 0.5 ? '\n' : '');
}

/** Fence lines in a part: an even count means every block it opens it also closes. */
function fenceLines(part: string): number {
  return part.split('\n').filter((line) => /^ {0,3}(```|~~~)/.test(line)).length;
}

/**
 * Undoes what splitMarkdown adds where it cuts a code block (a closing fence at the end of a part,
 * the opening line at the start of the next) and checks the rest is the original, in order.
 */
function unsplit(original: string, parts: string[]): string {
  let consumed = '';
  for (const [i, raw] of parts.entries()) {
    let part = raw;
    const open = openFenceAt(consumed);
    if (i > 0 && open) {
      assert.ok(part.startsWith(open.opener + '\n'), `part ${i} should reopen ${open.opener}`);
      part = part.slice(open.opener.length + 1);
    }
    if (!original.startsWith(consumed + part)) {
      const fence = openFenceAt(consumed + part.slice(0, part.lastIndexOf('\n') + 1)) ?? openFenceAt(consumed + part);
      assert.ok(fence, `part ${i} adds text but no code block is open`);
      assert.ok(part.endsWith(fence.closer), `part ${i} should close ${fence.opener}`);
      part = part.slice(0, -fence.closer.length);
      if (!original.startsWith(consumed + part)) part = part.replace(/\n$/, '');
      assert.ok(original.startsWith(consumed + part), `part ${i} does not continue the original`);
    }
    consumed += part;
  }
  return consumed;
}

describe('splitMarkdown', () => {
  test('short text is one part, unchanged', () => {
    assert.deepEqual(splitMarkdown('hello **world**'), ['hello **world**']);
    assert.deepEqual(splitMarkdown(''), []);
  });

  test('cuts at a paragraph before a line, and keeps the separator with the first part', () => {
    const text = 'a'.repeat(40) + '\n\n' + 'b'.repeat(30) + '\n' + 'c'.repeat(30);
    const parts = splitMarkdown(text, 80);
    assert.deepEqual(parts, ['a'.repeat(40) + '\n\n', 'b'.repeat(30) + '\n' + 'c'.repeat(30)]);
  });

  test('falls back to a line, then a word, then a hard cut', () => {
    assert.deepEqual(splitMarkdown('one two\nthree four', 12), ['one two\n', 'three four']);
    assert.deepEqual(splitMarkdown('one two three four', 10), ['one two ', 'three four']);
    assert.deepEqual(splitMarkdown('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  });

  test('never splits a surrogate pair', () => {
    const text = '🙂'.repeat(10);
    const parts = splitMarkdown(text, 5);
    assert.equal(parts.join(''), text);
    for (const part of parts) assert.ok(!/[\uD800-\uDBFF]$/.test(part) && !/^[\uDC00-\uDFFF]/.test(part));
  });

  test('moves a code block that fits whole to the next part instead of cutting it', () => {
    const code = '```js\nconst a = 1;\nconst b = 2;\n```';
    const text = 'intro text here\n' + code + '\n\nafter';
    const parts = splitMarkdown(text, 45);
    assert.equal(parts.join(''), text);
    assert.ok(parts.some((p) => p.includes(code)), JSON.stringify(parts));
  });

  test('a code block longer than a part is closed and reopened with its language', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `print(${i})`);
    const text = 'Here:\n\n```python\n' + lines.join('\n') + '\n```\nDone.';
    const parts = splitMarkdown(text, 80);
    assert.ok(parts.length > 2);
    for (const part of parts) {
      assert.ok(part.length <= 80);
      assert.equal(fenceLines(part) % 2, 0, `unbalanced part: ${JSON.stringify(part)}`);
    }
    assert.ok(parts[2]?.startsWith('```python\n'));
    assert.equal(unsplit(text, parts), text);
  });

  test('a code line longer than a part is cut hard, still closed and reopened', () => {
    const text = '```js\n' + 'z'.repeat(100) + '\n```';
    const parts = splitMarkdown(text, 40);
    for (const part of parts) {
      assert.ok(part.length <= 40);
      assert.equal(fenceLines(part), 2, JSON.stringify(part));
    }
    assert.equal(unsplit(text, parts), text);
  });

  test('generated documents: parts fit, fences balance, nothing is lost', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const text = markdownDoc(seed);
      for (const limit of [40, 61, 150, 500, 2_000]) {
        const parts = splitMarkdown(text, limit);
        for (const part of parts) {
          assert.ok(part.length <= limit, `seed ${seed} limit ${limit}: part of ${part.length}`);
          assert.ok(part.length > 0);
          assert.equal(fenceLines(part) % 2, 0, `seed ${seed} limit ${limit}: unbalanced ${JSON.stringify(part)}`);
        }
        assert.equal(unsplit(text, parts), text, `seed ${seed} limit ${limit}`);
      }
    }
  });

  test('at the default 12,000 a long answer without code joins back exactly', () => {
    const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
    const text = Array.from({ length: 60 }, (_, i) => `## Part ${i}\n\n${paragraph}`).join('\n\n');
    const parts = splitMarkdown(text);
    assert.ok(parts.length >= 6);
    assert.ok(parts.every((p) => p.length <= 12_000));
    assert.equal(parts.join(''), text);
    assert.ok(parts.slice(0, -1).every((p) => p.endsWith('\n\n')), 'every cut is at a paragraph');
  });
});

describe('cutForLimit', () => {
  test('head fits, head + tail is the text, and it prefers a paragraph', () => {
    const text = 'first paragraph\n\nsecond paragraph that is long';
    const [head, tail] = cutForLimit(text, 30);
    assert.equal(head, 'first paragraph\n\n');
    assert.equal(head + tail, text);
    assert.deepEqual(cutForLimit('short', 30), ['short', '']);
  });

  test('generated documents: every cut fits and loses nothing', () => {
    for (let seed = 100; seed < 120; seed++) {
      let rest = markdownDoc(seed);
      const original = rest;
      let rebuilt = '';
      while (rest.length > 0) {
        const [head, tail] = cutForLimit(rest, 97);
        assert.ok(head.length > 0 && head.length <= 97);
        rebuilt += head;
        rest = tail;
      }
      assert.equal(rebuilt, original);
    }
  });

  test('knows a code block opened in text already sent', () => {
    const before = 'Intro\n```sh\necho 1\n';
    const text = 'echo 2\n```\n\nAfter the block we say more things.';
    const [head] = cutForLimit(text, 20, before);
    // The closing fence is a line, not an opener: the cut after it is outside the block.
    assert.equal(head, 'echo 2\n```\n\n');
  });
});

describe('openFenceAt', () => {
  test('names the block still open, or nothing', () => {
    assert.deepEqual(openFenceAt('text\n```ts\nconst x = 1;\n'), { opener: '```ts', closer: '```' });
    assert.deepEqual(openFenceAt('~~~~\ncode'), { opener: '~~~~', closer: '~~~~' });
    assert.equal(openFenceAt('```ts\nx\n```\n'), undefined);
    assert.equal(openFenceAt('inline ```code``` only'), undefined);
    assert.equal(openFenceAt(''), undefined);
  });
});
