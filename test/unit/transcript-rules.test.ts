// validate, appendUserMessage and validPrefix: the invariants a stored transcript keeps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendUserMessage, isValid, validate, validPrefix } from '../../src/agent/transcript.js';
import type { Transcript } from '../../src/agent/types.js';
import { assistant, text, toolResult, toolTurn, toolUse, user } from '../fakes/anthropic-transcripts.js';

const problemsOf = (transcript: readonly unknown[]) => validate(transcript).problems.map((p) => `${p.index}: ${p.message}`).join('\n');

function assertInvalid(transcript: readonly unknown[], index: number, fragment: string): void {
  const result = validate(transcript);
  assert.equal(result.ok, false, 'should be invalid');
  const first = result.problems[0];
  assert.equal(first?.index, index, problemsOf(transcript));
  assert.ok(
    result.problems.some((p) => p.message.includes(fragment)),
    `expected a problem mentioning "${fragment}", got:\n${problemsOf(transcript)}`,
  );
}

describe('validate', () => {
  it('accepts an empty history and complete conversations with tools', () => {
    assert.deepEqual(validate([]), { ok: true, problems: [] });
    const transcript: Transcript = [
      ...toolTurn('a', 2),
      user('next'),
      assistant([toolUse('p1'), toolUse('p2')]),
      user([toolResult('p2'), toolResult('p1', [text('x'), { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } }]), text('and also')]),
      assistant('done'),
    ];
    assert.equal(problemsOf(transcript), '');
  });

  it('accepts a transcript that ends with tool_results (a turn that failed after its tools ran)', () => {
    assert.ok(isValid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1')])]));
  });

  it('requires a user message first and strict alternation', () => {
    assertInvalid([assistant('hi')], 0, 'first message must be a user message');
    assertInvalid([user('a'), user('b')], 1, 'two user messages in a row');
    assertInvalid([user('a'), assistant('b'), assistant('c')], 2, 'two assistant messages in a row');
    assertInvalid([user('a'), { role: 'system', content: 'x' }], 1, 'role must be "user" or "assistant"');
  });

  it('requires every tool_use to be answered at the start of the next message', () => {
    assertInvalid([user('q'), assistant([toolUse('t1')])], 1, 'tool_use t1 has no tool_result');
    assertInvalid([user('q'), assistant([toolUse('t1'), toolUse('t2')]), user([toolResult('t1')])], 1, 'tool_use t2');
    assertInvalid([user('q'), assistant([toolUse('t1')]), user('something else')], 1, 'tool_use t1');
  });

  it('refuses tool_results that answer nothing, come after other content, or come twice', () => {
    assertInvalid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1'), toolResult('zz')])], 2, 'tool_result zz answers no tool_use');
    assertInvalid([user([toolResult('t0')])], 0, 'answers no tool_use');
    assertInvalid([user('q'), assistant([toolUse('t1')]), user([text('first'), toolResult('t1')])], 1, 'must come before any other content');
    assertInvalid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1'), toolResult('t1')])], 2, 'given twice');
  });

  it('refuses block types the API does not take inside a tool_result', () => {
    for (const block of [
      { type: 'image', data: 'iVBO', mimeType: 'image/png' },
      { type: 'resource_link', uri: 'file:///x', name: 'x' },
      { type: 'resource', resource: { uri: 'file:///x', text: 'x' } },
      { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
      { type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'Qk0=' } },
    ]) {
      assertInvalid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1', [block as never])])], 2, 'tool_result content');
    }
  });

  it('refuses empty text, empty content, and tool input that is not an object', () => {
    assertInvalid([user('')], 0, 'non-whitespace text');
    assertInvalid([user([])], 0, 'content must not be empty');
    assertInvalid([user([text('  ')])], 0, 'non-whitespace text');
    assertInvalid([user('q'), assistant([text(''), toolUse('t1')]), user([toolResult('t1')])], 1, 'non-whitespace text');
    assertInvalid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1', [text('')])])], 2, 'non-whitespace text');
    assertInvalid([user('q'), assistant([toolUse('t1', 'echo', [1])]), user([toolResult('t1')])], 1, 'input must be a JSON object');
    assertInvalid([user('q'), assistant([toolUse('t1')]), user([toolResult('t1')]), assistant([toolUse('t1')]), user([toolResult('t1')])], 3, 'used twice');
  });

  it('reads stored JSON defensively', () => {
    assertInvalid([null], 0, 'must be an object');
    assertInvalid([{ role: 'user', content: 42 }], 0, 'content must be a string or an array');
    assertInvalid([user([{ nope: true } as never])], 0, 'must be an object with a type');
  });
});

describe('appendUserMessage', () => {
  it('adds a new user message after an answer, without touching its input', () => {
    const history: Transcript = [user('a'), assistant('b')];
    const next = appendUserMessage(history, 'c');
    assert.deepEqual(next, [user('a'), assistant('b'), user([text('c')])]);
    assert.equal(history.length, 2);
  });

  it('merges into a trailing user message so tool_results stay first and the result stays valid', () => {
    const history: Transcript = [user('q'), assistant([toolUse('t1')]), user([toolResult('t1')])];
    const next = appendUserMessage(history, 'are you there?');
    assert.deepEqual(next.at(-1), user([toolResult('t1'), text('are you there?')]));
    assert.ok(isValid(next), problemsOf(next));
    assert.deepEqual(appendUserMessage([user('first')], 'second'), [user([text('first'), text('second')])]);
  });

  it('drops blank text, and refuses to add an empty message', () => {
    assert.deepEqual(appendUserMessage([user('a')], '   '), [user([text('a')])]);
    assert.throws(() => appendUserMessage([user('a'), assistant('b')], ''), /non-blank/);
  });
});

describe('validPrefix', () => {
  it('keeps a valid transcript whole', () => {
    const transcript = [...toolTurn('a', 1), ...toolTurn('b', 2)];
    assert.deepEqual(validPrefix(transcript), transcript);
  });

  it('never keeps a tool_use without its tool_result', () => {
    const complete = toolTurn('a', 1);
    assert.deepEqual(validPrefix([...complete, user('next'), assistant([toolUse('x1')])]), [...complete, user('next')]);
    assert.deepEqual(validPrefix([...complete, user('next'), assistant([toolUse('x1'), toolUse('x2')]), user([toolResult('x1')])]), [...complete, user('next')]);
  });

  it('cuts at the first broken message and everything after it', () => {
    const complete = toolTurn('a', 1);
    const broken = [...complete, user([text('')]), assistant('fine'), user('later')];
    assert.deepEqual(validPrefix(broken), complete);
    assert.deepEqual(validPrefix([assistant('no user first'), user('q')]), []);
    assert.deepEqual(validPrefix([null, 'junk']), []);
  });
});
