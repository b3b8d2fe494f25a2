import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeMrkdwn, formatDuration, markdownToMrkdwn, shortArgs } from '../../src/slack/reply/format.js';

describe('markdownToMrkdwn', () => {
  test('emphasis, strike and links', () => {
    assert.equal(markdownToMrkdwn('**bold** and *italic* and _also_ and ~~gone~~'), '*bold* and _italic_ and _also_ and ~gone~');
    assert.equal(markdownToMrkdwn('***both***'), '*_both_*');
    assert.equal(markdownToMrkdwn('see [the docs](https://example.com/a?b=1&c=2) now'), 'see <https://example.com/a?b=1&amp;c=2|the docs> now');
    assert.equal(markdownToMrkdwn('![logo](https://example.com/l.png)'), '<https://example.com/l.png|logo>');
    assert.equal(markdownToMrkdwn('snake_case_name stays, 2 * 3 * 4 too'), 'snake_case_name stays, 2 * 3 * 4 too');
  });

  test('headings become bold lines; lists, quotes and rules stay readable', () => {
    const md = ['# Title', '## **Already** bold', '- one', '* two', '  + nested', '1. first', '> quoted **text**', '---'].join('\n');
    const expected = ['*Title*', '*Already bold*', '• one', '• two', '  • nested', '1. first', '> quoted *text*', '──────────'].join('\n');
    assert.equal(markdownToMrkdwn(md), expected);
  });

  test('code spans and blocks keep their content; the fence language is dropped', () => {
    assert.equal(markdownToMrkdwn('run `a **not bold** b` now'), 'run `a **not bold** b` now');
    const md = '```python\nx = a ** 2  # *not* italic\nif a < b and c > d: pass\n```';
    assert.equal(markdownToMrkdwn(md), '```\nx = a ** 2  # *not* italic\nif a &lt; b and c &gt; d: pass\n```');
    assert.equal(markdownToMrkdwn('```\nunclosed'), '```\nunclosed\n```');
  });

  test('&, < and > are escaped, Slack tokens and autolinks are not', () => {
    assert.equal(markdownToMrkdwn('a < b & c > d'), 'a &lt; b &amp; c &gt; d');
    assert.equal(markdownToMrkdwn('hi <@U123>, see <#C1|general> and <https://x.test>'), 'hi <@U123>, see <#C1|general> and <https://x.test>');
    assert.equal(markdownToMrkdwn('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.equal(escapeMrkdwn('<&>'), '&lt;&amp;&gt;');
  });
});

describe('shortArgs', () => {
  test('a line of key: value pairs', () => {
    assert.equal(shortArgs({ path: '/x', depth: 2, recursive: true, none: null }), 'path: "/x", depth: 2, recursive: true, none: null');
    assert.equal(shortArgs({}), '');
    assert.equal(shortArgs(undefined), '');
    assert.equal(shortArgs('just text'), '"just text"');
  });

  test('long strings, nested objects and arrays are summarised', () => {
    const out = shortArgs({ query: 'q'.repeat(100), filter: { a: 1, b: { deep: true } }, tags: ['a', 'b'], ids: [1, 2, 3, 4, 5], rows: [{ a: 1 }] });
    assert.equal(out.length <= 120, true);
    assert.match(out, /^query: "q{39}…", filter: \{a, b\}, tags: \["a", "b"\], ids: \[5 items\]/);
    assert.equal(shortArgs({ rows: [{ a: 1 }] }), 'rows: [{…}]');
    assert.equal(shortArgs({ text: 'line one\nline two' }), 'text: "line one line two"');
  });

  test('the whole line is kept within max', () => {
    const input = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, i]));
    const out = shortArgs(input, 50);
    assert.equal(out.length, 50);
    assert.ok(out.endsWith('…'));
  });
});

describe('formatDuration', () => {
  test('ms, seconds, minutes, hours', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(120), '120 ms');
    assert.equal(formatDuration(999.7), '1.0 s');
    assert.equal(formatDuration(2_400), '2.4 s');
    assert.equal(formatDuration(59_960), '1 min');
    assert.equal(formatDuration(65_000), '1 min 5 s');
    assert.equal(formatDuration(3_723_000), '1 h 2 min');
    assert.equal(formatDuration(-5), '0 ms');
    assert.equal(formatDuration(Number.NaN), '0 ms');
  });
});
