import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineTail } from '../../src/mcp/line-tail.js';

describe('LineTail', () => {
  it('joins lines split across chunks and returns the completed ones', () => {
    const tail = new LineTail();
    assert.deepEqual(tail.push('first li'), []);
    assert.deepEqual(tail.push('ne\r\nsecond\nthi'), ['first line', 'second']);
    assert.deepEqual(tail.tail(), ['first line', 'second', 'thi'], 'an unterminated last line still counts');
  });

  it('keeps only the most recent lines, clipped, without blank ones', () => {
    const tail = new LineTail(3, 5);
    tail.push('1\n\n2\n3\n4\n  \n123456789\n');
    assert.deepEqual(tail.tail(), ['3', '4', '12345…']);
    assert.deepEqual(tail.tail(1), ['12345…']);
  });
});
