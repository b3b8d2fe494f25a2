// elicitation/create params -> plain fields, answers -> ElicitResult, and the content check a front end
// can run before answering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkElicitationContent, toElicitationRequest, toElicitResult } from '../../src/mcp/elicitation.js';
import type { ElicitationField } from '../../src/mcp/types.js';

describe('toElicitationRequest', () => {
  it('turns URL mode into url + elicitationId', () => {
    assert.deepEqual(toElicitationRequest('github', { mode: 'url', message: 'Sign in', url: 'https://github.com/login', elicitationId: 'e1' }), {
      mode: 'url',
      server: 'github',
      message: 'Sign in',
      url: 'https://github.com/login',
      elicitationId: 'e1',
    });
  });

  it('flattens a form schema into ordered fields, form being the default mode', () => {
    const request = toElicitationRequest('s', {
      message: 'Details?',
      requestedSchema: {
        type: 'object',
        properties: {
          when: { type: 'string', format: 'date-time', minLength: 1, maxLength: 30 },
          size: { type: 'string', enum: ['S', 'M'] },
          count: { type: 'number', minimum: 0 },
          ok: { type: 'boolean', default: false },
          pets: { type: 'array', items: { type: 'string', enum: ['cat'] } },
        },
        required: ['when', 'ok'],
      },
    });
    assert.ok(request.mode === 'form');
    assert.deepEqual(request.fields, [
      { name: 'when', required: true, type: 'string', format: 'date-time', minLength: 1, maxLength: 30 },
      { name: 'size', required: false, type: 'enum', options: [{ value: 'S', label: 'S' }, { value: 'M', label: 'M' }] },
      { name: 'count', required: false, type: 'number', minimum: 0 },
      { name: 'ok', required: true, type: 'boolean', default: false },
      { name: 'pets', required: false, type: 'multi-enum', options: [{ value: 'cat', label: 'cat' }] },
    ]);
  });
});

describe('toElicitResult', () => {
  it('keeps content only on accept', () => {
    assert.deepEqual(toElicitResult({ action: 'accept', content: { a: 1 } }), { action: 'accept', content: { a: 1 } });
    assert.deepEqual(toElicitResult({ action: 'accept' }), { action: 'accept' });
    assert.deepEqual(toElicitResult({ action: 'decline' }), { action: 'decline' });
    assert.deepEqual(toElicitResult({ action: 'cancel' }), { action: 'cancel' });
  });
});

describe('checkElicitationContent', () => {
  const fields: ElicitationField[] = [
    { name: 'name', required: true, type: 'string', minLength: 2 },
    { name: 'email', required: false, type: 'string', format: 'email' },
    { name: 'site', required: false, type: 'string', format: 'uri' },
    { name: 'born', required: false, type: 'string', format: 'date' },
    { name: 'age', required: false, type: 'integer', minimum: 0, maximum: 150 },
    { name: 'agree', required: true, type: 'boolean' },
    { name: 'size', required: false, type: 'enum', options: [{ value: 's', label: 'Small' }] },
    { name: 'tags', required: false, type: 'multi-enum', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], maxItems: 1 },
  ];

  it('accepts good content and lets optional fields be left out', () => {
    assert.deepEqual(checkElicitationContent(fields, { name: 'Ada', agree: true }), {});
    assert.deepEqual(
      checkElicitationContent(fields, { name: 'Ada', email: 'a@b.c', site: 'https://x.y', born: '1815-12-10', age: 36, agree: false, size: 's', tags: ['a'] }),
      {},
    );
  });

  it('says per field what is wrong', () => {
    assert.deepEqual(
      checkElicitationContent(fields, { name: 'A', email: 'nope', site: 'x', born: '10/12/1815', age: 3.5, size: 'xl', tags: ['a', 'b'] }),
      {
        name: 'needs at least 2 characters',
        email: 'must be an email address',
        site: 'must be a full address (https://...)',
        born: 'must be a date (YYYY-MM-DD)',
        age: 'must be a whole number',
        agree: 'is required',
        size: 'must be one of the choices',
        tags: 'takes at most 1',
      },
    );
    assert.deepEqual(checkElicitationContent(fields, { name: '', agree: 'yes', age: 200 }), {
      name: 'is required',
      agree: 'must be yes or no',
      age: 'must be at most 150',
    });
  });
});
