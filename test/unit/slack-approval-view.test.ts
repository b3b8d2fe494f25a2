// How a tool call is shown for approval: every argument on a line of its own, in an order Claude
// cannot choose, long values shortened with their size, and the whole call in a modal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { argumentLeaves, argumentSections, fullCallView, stableJson } from '../../src/slack/questions/call-view.js';

describe('the approval’s view of a call', () => {
  test('a long first argument never hides a later one', () => {
    const text = argumentSections({ content: 'x'.repeat(2500), path: '/prod/secrets.env' }).join('\n');
    assert.match(text, /`path`: `"\/prod\/secrets\.env"`/);
    assert.match(text, /`content`: `"x+…` _\(2,500 characters in all\)_/);
  });

  test('arguments are listed by sorted path, nested ones by their full path', () => {
    const leaves = argumentLeaves({ z: 1, a: { y: [true, null], b: {} }, 'odd key': 'v' });
    assert.deepEqual(
      leaves.map((l) => l.path),
      ['a.b', 'a.y[0]', 'a.y[1]', '["odd key"]', 'z'],
    );
    assert.equal(stableJson({ b: 1, a: { d: 2, c: 3 } }), '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}');
  });

  test('a nested long value does not hide its sibling either', () => {
    const text = argumentSections({ options: { body: 'y'.repeat(5000), target: 'prod' } }).join('\n');
    assert.match(text, /`options\.target`: `"prod"`/);
    assert.match(text, /5,000 characters in all/);
  });

  test('values are escaped and cannot leave their code span', () => {
    const text = argumentSections({ note: '<!channel> `<@U1>` <https://evil.example|docs> & more' }).join('\n');
    assert.equal(text, '`note`: `"&lt;!channel&gt; ˋ&lt;@U1&gt;ˋ &lt;https://evil.example|docs&gt; &amp; more"`');
  });

  test('more arguments than a message holds: the last line says how many are not shown', () => {
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${String(i).padStart(3, '0')}`, 'v'.repeat(100)]));
    const sections = argumentSections(many);
    const text = sections.join('\n');
    assert.match(text, /`k000`/);
    const notShown = /\*(\d+) more arguments not shown here: use Show full call before you decide\.\*/.exec(text);
    assert.ok(notShown, 'the cut is told');
    const listed = (text.match(/^`k\d{3}`/gm) ?? []).length;
    assert.equal(listed + Number(notShown[1]), 400, 'every argument is either listed or counted');
    assert.ok(sections.every((s) => s.length <= 3000));
  });

  test('no arguments says so', () => {
    assert.deepEqual(argumentSections({}), ['_No arguments._']);
  });

  test('the modal holds the whole call, escaped, in code blocks', () => {
    const view = fullCallView({ server: 'files', tool: 'write_file', args: { path: '/x', content: '<!here>' + 'z'.repeat(7000) } });
    const texts = (view.blocks as { text?: { text: string } }[]).map((b) => b.text?.text ?? '');
    assert.match(texts[0] ?? '', /`files\/write_file` with these arguments/);
    const json = texts.slice(1).map((t) => /^```([\s\S]*)```$/.exec(t)?.[1] ?? '').join('');
    assert.equal(json, stableJson({ path: '/x', content: '<!here>' + 'z'.repeat(7000) }).replace('<!here>', '&lt;!here&gt;'));
  });
});
