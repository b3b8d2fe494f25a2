// A question whose image or PDF the API refused (400) keeps its text in the thread's history but not
// the file, so the thread's next question is not refused the same way; other failures keep everything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import Keyv from 'keyv';
import { createConversations } from '../../src/agent/conversation.js';
import type { Agent, TurnInput } from '../../src/agent/loop.js';
import { withoutRefusedFiles } from '../../src/agent/refused-files.js';
import type { AgentSink, Transcript } from '../../src/agent/types.js';
import { zeroUsage } from '../../src/agent/usage.js';

const image: Anthropic.ImageBlockParam = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };
const pdf: Anthropic.DocumentBlockParam = { type: 'document', title: 'q3.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
const refused = () => Anthropic.APIError.generate(400, { type: 'error', error: { type: 'invalid_request_error', message: 'Could not process image' } }, undefined, new Headers());
const silentSink: AgentSink = { emit: () => Promise.resolve() };

/** An agent whose turns fail with `error` when the question carries a file, and answer otherwise. */
function agentFailingOnFiles(error: () => unknown): Agent & { seen: Transcript[] } {
  const seen: Transcript[] = [];
  return {
    seen,
    runTurn(input: TurnInput) {
      const question = { role: 'user' as const, content: typeof input.userText === 'string' ? [{ type: 'text' as const, text: input.userText }] : input.userText };
      const messages: Transcript = [...input.history, question];
      seen.push(messages);
      const hasFile = messages.some((m) => typeof m.content !== 'string' && m.content.some((b) => b.type === 'image' || b.type === 'document'));
      if (hasFile) return Promise.resolve({ messages, status: 'failed' as const, text: '', stopReason: 'error', usage: zeroUsage(), rounds: 1, error: error() });
      return Promise.resolve({ messages: [...messages, { role: 'assistant' as const, content: 'Answered.' }], status: 'done' as const, text: 'Answered.', stopReason: 'end_turn', usage: zeroUsage(), rounds: 1 });
    },
  };
}

describe('files the model API refused', () => {
  it('are taken out of the thread\'s history, so its next question is answered', async () => {
    const agent = agentFailingOnFiles(refused);
    const conversations = createConversations({ store: new Keyv(), agent });
    const first = await conversations.runTurn('T1:C1:1', [image, pdf, { type: 'text', text: 'what is in these?' }], silentSink);
    assert.equal(first.status, 'failed');
    const second = await conversations.runTurn('T1:C1:1', 'then just say hello', silentSink);
    assert.equal(second.status, 'done', 'the next question in the thread is answered');
    const stored = await conversations.history('T1:C1:1');
    const question = stored[0];
    assert.ok(question && typeof question.content !== 'string');
    assert.deepEqual(question.content.map((b) => b.type), ['text', 'text', 'text'], 'the files became notes; the question\'s text stayed');
    assert.match(JSON.stringify(question.content), /an image attached to this question was refused by the model API \(\\"Could not process image\\"\)/);
    assert.match(JSON.stringify(question.content), /a PDF \\"q3.pdf\\" attached/);
  });

  it('stay when the turn failed for another reason (an overloaded API, a 500)', () => {
    const messages: Transcript = [{ role: 'user', content: [image, { type: 'text', text: 'look' }] }];
    const overloaded = Anthropic.APIError.generate(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, new Headers());
    assert.equal(withoutRefusedFiles(messages, overloaded), undefined);
    assert.equal(withoutRefusedFiles(messages, new Error('socket hang up')), undefined);
    assert.equal(withoutRefusedFiles([{ role: 'user', content: 'no files' }], refused()), undefined);
  });
});
