// sampling/createMessage params -> SamplingRequest, and the answer back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { toCreateMessageResult, toSamplingRequest } from '../../src/mcp/sampling.js';

describe('toSamplingRequest', () => {
  it('keeps text and images, puts other content into words, and flattens model hints', () => {
    const request = toSamplingRequest('s', {
      messages: [
        { role: 'user', content: { type: 'text', text: 'Describe this' } },
        {
          role: 'user',
          content: [
            { type: 'image', data: 'aGk=', mimeType: 'image/png' },
            { type: 'audio', data: 'aGk=', mimeType: 'audio/wav' },
          ],
        },
        { role: 'assistant', content: { type: 'tool_use', id: 't1', name: 'lookup', input: { q: 1 } } },
      ],
      maxTokens: 100,
      stopSequences: ['END'],
      modelPreferences: { hints: [{ name: 'claude-sonnet' }, {}], intelligencePriority: 0.9 },
    });
    assert.deepEqual(request, {
      server: 's',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Describe this' }] },
        {
          role: 'user',
          content: [
            { type: 'image', data: 'aGk=', mimeType: 'image/png' },
            { type: 'text', text: '[audio: audio/wav, 2 B; audio cannot be shown to the model]' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: '[tool use lookup: {"q":1}]' }] },
      ],
      maxTokens: 100,
      stopSequences: ['END'],
      modelPreferences: { hints: ['claude-sonnet'], intelligencePriority: 0.9 },
    });
  });

  it('refuses tool use, which this client does not declare', () => {
    assert.throws(
      () => toSamplingRequest('s', { messages: [], maxTokens: 1, tools: [{ name: 't', inputSchema: { type: 'object' } }] }),
      (err: unknown) => err instanceof McpError && /does not support tool use/.test(err.message),
    );
  });
});

describe('toCreateMessageResult', () => {
  it('answers as the assistant with text', () => {
    assert.deepEqual(toCreateMessageResult({ text: 'hi', model: 'm' }), { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' });
    assert.equal(toCreateMessageResult({ text: 'hi', model: 'm', stopReason: 'maxTokens' }).stopReason, 'maxTokens');
  });
});
