// What a person typed into a server's form in Slack, read back and checked by the schema's own rules
// before it goes to the server: a value out of bounds or in the wrong format is told to the person.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElicitationField } from '../../src/mcp/types.js';
import { readForm } from '../../src/slack/questions/elicitation.js';

const fields: ElicitationField[] = [
  { name: 'email', title: 'Email', required: true, type: 'string', format: 'email' },
  { name: 'age', title: 'Age', required: false, type: 'integer', minimum: 0, maximum: 150 },
  { name: 'note', required: false, type: 'string', maxLength: 5 },
];

const typed = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`elicit_field_${name}`, { value: { value } }]));

describe('reading a server form back from Slack', () => {
  it('passes good answers through, numbers as numbers', () => {
    assert.deepEqual(readForm(fields, typed({ email: 'ada@example.com', age: '36' })), { ok: true, content: { email: 'ada@example.com', age: 36 } });
  });

  it('names every answer that breaks the schema: format, bounds, whole numbers, length, required', () => {
    assert.deepEqual(readForm(fields, typed({ email: 'not-an-address', age: '200', note: 'far too long' })), {
      ok: false,
      problems: ['Email must be an email address', 'Age must be at most 150', 'note takes at most 5 characters'],
    });
    assert.deepEqual(readForm(fields, typed({ age: '3.5' })), { ok: false, problems: ['Email is required', 'Age must be a whole number'] });
    assert.deepEqual(readForm(fields, typed({ email: 'ada@example.com', age: 'old' })), { ok: false, problems: ['Age must be a number'] });
  });
});
