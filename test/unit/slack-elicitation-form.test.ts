// A server's form (MCP elicitation) becomes Block Kit that Slack accepts, whatever the schema says:
// each form here is legal MCP, and each once produced a field Slack would have refused with
// invalid_blocks, so the question never reached the person and the tool call failed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ElicitationField } from '../../src/mcp/types.js';
import { formBlocks } from '../../src/slack/questions/elicitation.js';
import { MESSAGE_LIST_LIMITS, validateBlocks } from '../fakes/slack-blocks.js';

const record = (fields: ElicitationField[]) => ({ id: '0f8fad5b-d9cb-469f-a165-70867728950e', askedBy: 'U1', server: 'forms', fields });

/** The element Slack would show for the (only) field. */
function element(fields: ElicitationField[]): Record<string, unknown> {
  const blocks = formBlocks(record(fields), 'Fill this in') as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(validateBlocks(blocks, 'message', MESSAGE_LIST_LIMITS), [], 'Slack accepts the form');
  return (blocks[1]?.element ?? {}) as Record<string, unknown>;
}

describe('elicitation forms: Slack accepts what a schema asks for', () => {
  test('a text over 3,000 characters: the input asks for what Slack can hold', () => {
    const input = element([{ name: 'essay', type: 'string', required: true, minLength: 5000, maxLength: 10_000, default: 'x'.repeat(4000) }]);
    assert.equal(input.max_length, 3000);
    assert.equal(input.min_length, 3000);
    assert.equal(input.initial_value, 'x'.repeat(3000));
  });

  test('a minimum length above the maximum (a server bug) does not break the form', () => {
    const input = element([{ name: 'code', type: 'string', required: true, minLength: 10, maxLength: 5 }]);
    assert.equal(input.max_length, 5);
    assert.equal(input.min_length, 5);
  });

  test('a default longer than the maximum length is cut to it', () => {
    assert.equal(element([{ name: 'code', type: 'string', required: false, maxLength: 4, default: 'abcdefgh' }]).initial_value, 'abcd');
  });

  test('whole numbers with fractional bounds and default keep whole-number bounds and drop the default', () => {
    const input = element([{ name: 'count', type: 'integer', required: true, minimum: 0.5, maximum: 9.5, default: 2.5 }]);
    assert.deepEqual([input.min_value, input.max_value, input.initial_value], ['1', '9', undefined]);
  });

  test('very large or small bounds are written as plain numbers, not 1e+21', () => {
    const input = element([{ name: 'n', type: 'number', required: true, minimum: -1e21, maximum: 1e21, default: 0.000001 }]);
    assert.deepEqual([input.min_value, input.max_value, input.initial_value], ['-1000000000000000000000', '1000000000000000000000', '0.000001']);
  });

  test('a default outside the bounds, or bounds the wrong way round, are left out', () => {
    assert.equal(element([{ name: 'n', type: 'number', required: true, minimum: 1, maximum: 5, default: 9 }]).initial_value, undefined);
    const swapped = element([{ name: 'n', type: 'number', required: true, minimum: 5, maximum: 1 }]);
    assert.deepEqual([swapped.min_value, swapped.max_value], [undefined, undefined]);
  });

  test('a date default that is not YYYY-MM-DD is not given to the date picker', () => {
    assert.equal(element([{ name: 'day', type: 'string', format: 'date', required: true, default: '2026-11-29T10:00:00Z' }]).initial_date, '2026-11-29');
    assert.equal(element([{ name: 'day', type: 'string', format: 'date', required: true, default: 'tomorrow' }]).initial_date, undefined);
  });

  test('a field name too long for a block_id still makes a form Slack takes', () => {
    const name = 'n'.repeat(300);
    element([{ name, type: 'string', required: true }]);
  });
});
