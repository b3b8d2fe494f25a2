// The terminal chat's sentence for a failed Claude call: it names the setting the person at the
// terminal can check, and never speaks of "the bot" (that is the Slack front's wording).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { describeChatError } from '../../src/cli/chat-errors.js';

const settings = { baseURL: 'http://proxy.internal:8080', model: 'claude-sonnet-5' };

function apiError(status: number, type: string, message: string): InstanceType<typeof Anthropic.APIError> {
  return Anthropic.APIError.generate(status, { type: 'error', error: { type, message } }, undefined, new Headers());
}

describe('the chat describes a failed Claude call', () => {
  it('names the key, the model and the base URL where they are what to check', () => {
    assert.equal(
      describeChatError(apiError(401, 'authentication_error', 'invalid x-api-key'), settings),
      'Claude turned down the API key (401) ("invalid x-api-key"); check ANTHROPIC_API_KEY (in the environment or .env).',
    );
    assert.match(describeChatError(apiError(403, 'permission_error', 'not allowed'), settings) ?? '', /check ANTHROPIC_API_KEY and ANTHROPIC_MODEL \(claude-sonnet-5\)/);
    assert.equal(
      describeChatError(apiError(404, 'not_found_error', 'model: claude-sonnet-5'), settings),
      'ANTHROPIC_BASE_URL (http://proxy.internal:8080) does not know the model claude-sonnet-5 or this address (404) ("model: claude-sonnet-5"); check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL.',
    );
    assert.match(describeChatError(apiError(400, 'invalid_request_error', 'max_tokens: too large'), settings) ?? '', /\(400\) \("max_tokens: too large"\)\.$/);
  });

  it('says which address it could not reach, and that ANTHROPIC_BASE_URL is not set when it is not', () => {
    const refused = new Anthropic.APIConnectionError({ cause: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }) });
    assert.equal(
      describeChatError(refused, { model: 'claude-sonnet-5' }),
      "The chat could not reach Claude at Anthropic's API (https://api.anthropic.com, ANTHROPIC_BASE_URL is not set): connection refused. Check ANTHROPIC_BASE_URL and your network.",
    );
    assert.match(describeChatError(new Anthropic.APIConnectionTimeoutError(), settings) ?? '', /ANTHROPIC_TIMEOUT_MS.*ANTHROPIC_BASE_URL \(http:\/\/proxy\.internal:8080\)/);
  });

  it('keeps the shared sentence for a cancel and for overload, and never speaks of the bot', () => {
    assert.equal(describeChatError(new Anthropic.APIUserAbortError(), settings), undefined);
    assert.equal(describeChatError(apiError(529, 'overloaded_error', 'Overloaded'), settings), undefined);
    const all = [
      apiError(401, 'authentication_error', 'x'),
      apiError(429, 'rate_limit_error', 'x'),
      new Anthropic.APIConnectionError({ message: 'Connection error.' }),
      new Error('something odd'),
    ].map((error) => describeChatError(error, settings) ?? '');
    for (const sentence of all) assert.doesNotMatch(sentence, /\bbot\b/i, sentence);
  });
});
