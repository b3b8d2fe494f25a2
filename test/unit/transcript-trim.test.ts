// trimToBudget and the local token estimate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateBlockTokens, estimateMessageTokens, estimateTranscriptTokens, IMAGE_TOKENS } from '../../src/agent/tokens.js';
import { appendUserMessage, isValid, trimToBudget, turnStarts, validate } from '../../src/agent/transcript.js';
import type { Message, Transcript } from '../../src/agent/types.js';
import { assistant, text, toolResult, toolTurn, toolUse, user } from '../fakes/anthropic-transcripts.js';

const everyMessage10 = (_message: Message) => 10;

describe('turnStarts', () => {
  it('starts a turn at each user message that carries no tool_result', () => {
    const transcript = [...toolTurn('a', 2), ...toolTurn('b', 0)];
    assert.deepEqual(turnStarts(transcript), [0, 6]);
  });

  it('does not start a turn at tool_results merged with a new question', () => {
    const transcript = appendUserMessage([user('q'), assistant([toolUse('t1')]), user([toolResult('t1')])], 'again');
    assert.deepEqual(turnStarts(transcript), [0]);
  });
});

describe('trimToBudget', () => {
  it('keeps everything under budget', () => {
    const transcript = [...toolTurn('a', 1), ...toolTurn('b', 1)];
    assert.equal(trimToBudget(transcript, 1_000, everyMessage10), transcript);
  });

  it('drops the oldest whole turns, never splitting a tool_use from its tool_result', () => {
    const a = toolTurn('a', 2); // 6 messages
    const b = toolTurn('b', 1); // 4 messages
    const c = toolTurn('c', 3); // 8 messages
    const transcript = [...a, ...b, ...c];
    // Budget for 12 messages: a (6) must go, b + c (12) fit.
    assert.deepEqual(trimToBudget(transcript, 120, everyMessage10), [...b, ...c]);
    // Budget for 11: b must go too, even though dropping half of b would fit.
    const trimmed = trimToBudget(transcript, 110, everyMessage10);
    assert.deepEqual(trimmed, c);
    for (let budget = 0; budget <= 200; budget += 7) {
      const result = trimToBudget(transcript, budget, everyMessage10);
      assert.ok(isValid(result), `budget ${budget}: ${JSON.stringify(validate(result).problems)}`);
      assert.equal(result[0]?.role, 'user');
      assert.ok(turnStarts(result).includes(0));
    }
  });

  it('always keeps the latest turn, even alone over budget', () => {
    const latest = toolTurn('z', 4, 1000);
    const transcript = [...toolTurn('a', 1), ...latest];
    assert.deepEqual(trimToBudget(transcript, 1), latest);
  });

  it('keeps a trailing question with its tool_results from a failed turn', () => {
    const failed: Transcript = [user('q'), assistant([toolUse('t1')]), user([toolResult('t1'), text('retry please')])];
    const transcript = [...toolTurn('a', 1, 5000), ...failed];
    assert.deepEqual(trimToBudget(transcript, 100), failed);
  });

  it('uses the local estimate by default', () => {
    const transcript = [...toolTurn('a', 1, 4000), ...toolTurn('b', 1, 40)];
    const trimmed = trimToBudget(transcript, 500);
    assert.deepEqual(trimmed, toolTurn('b', 1, 40));
    assert.ok(estimateTranscriptTokens(trimmed) <= 500);
  });
});

describe('estimate', () => {
  it('counts about 4 characters a token, tool inputs and results included', () => {
    assert.equal(estimateBlockTokens(text('x'.repeat(400))), 103);
    const small = estimateBlockTokens(toolUse('t', 'echo', { a: 1 }));
    const big = estimateBlockTokens(toolUse('t', 'echo', { a: 'y'.repeat(4000) }));
    assert.ok(big - small >= 990 && big - small <= 1010, `${big - small}`);
    assert.ok(estimateBlockTokens(toolResult('t', 'r'.repeat(800))) >= 200);
    assert.equal(estimateMessageTokens(user('abcd')), 5);
  });

  it('counts an image as about 1600 tokens, wherever it is', () => {
    const image = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: 'A'.repeat(100_000) } };
    assert.equal(estimateBlockTokens(image), IMAGE_TOKENS);
    assert.ok(estimateBlockTokens(toolResult('t', [image])) >= IMAGE_TOKENS);
  });
});

describe('trimToBudget with a step (prompt cache stability)', () => {
  const turn = (i: number): Transcript => [
    { role: 'user', content: [{ type: 'text', text: `question ${i} ` + 'q'.repeat(400) }] },
    { role: 'assistant', content: [{ type: 'text', text: `answer ${i} ` + 'a'.repeat(400) }] },
  ];

  it('keeps the start of what is sent for several turns, and stays within the budget', () => {
    const budget = 2000; // about ten turns of ~200 tokens
    const startsSeen: string[] = [];
    let transcript: Transcript = [];
    for (let i = 0; i < 40; i++) {
      transcript = [...transcript, ...turn(i)];
      const sent = trimToBudget(transcript, budget, undefined, 5);
      assert.ok(estimateTranscriptTokens(sent) <= budget, `turn ${i}: within the budget`);
      assert.ok(isValid(sent));
      const first = sent[0];
      startsSeen.push(first && typeof first.content !== 'string' && first.content[0]?.type === 'text' ? first.content[0].text.split(' ').slice(0, 2).join(' ') : '');
    }
    const changes = startsSeen.filter((start, i) => i > 0 && start !== startsSeen[i - 1]).length;
    const stepOne: string[] = [];
    transcript = [];
    for (let i = 0; i < 40; i++) {
      transcript = [...transcript, ...turn(i)];
      const sent = trimToBudget(transcript, budget);
      const first = sent[0];
      stepOne.push(first && typeof first.content !== 'string' && first.content[0]?.type === 'text' ? first.content[0].text : '');
    }
    const changesStepOne = stepOne.filter((start, i) => i > 0 && start !== stepOne[i - 1]).length;
    assert.ok(changes * 3 <= changesStepOne, `the start moved ${changes} times with a step of 5, ${changesStepOne} times without`);
  });
});
