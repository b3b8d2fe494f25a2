// A server's sampling request answered by Claude through the strict fake: the request the fake gets
// is one the API accepts (no temperature, which API version 2026-10-21 refuses), and the log says
// the temperature was dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSampler } from '../../src/agent/sampler.js';
import { createLogger } from '../../src/log.js';
import { strictFake, TEST_MODEL } from '../fakes/anthropic-harness.js';

describe('sampler', () => {
  const suite = strictFake();

  function sampler() {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { lines, sample: createSampler({ client: suite.fake.client(), model: TEST_MODEL, maxTokensCap: 200, logger }) };
  }

  it('answers a request that asks for a temperature without sending it, and logs that it was dropped', async () => {
    suite.fake.script([suite.fake.reply.text('Paris.')]);
    const { lines, sample } = sampler();
    const response = await sample({
      server: 'everything',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Capital of France?' }] }],
      maxTokens: 5000,
      temperature: 0.2,
      stopSequences: ['\n\n'],
      systemPrompt: 'Answer in one word.',
    });
    assert.equal(response.text, 'Paris.');
    const [call] = suite.fake.calls;
    assert.ok(call);
    assert.equal('temperature' in call, false);
    assert.equal(call.max_tokens, 200, 'capped at SAMPLING_MAX_TOKENS');
    assert.deepEqual(call.stop_sequences, ['\n\n']);
    const dropped = lines.find((l) => String(l.msg).includes('temperature dropped'));
    assert.ok(dropped, JSON.stringify(lines));
    assert.equal(dropped.server, 'everything');
    assert.equal(dropped.temperature, 0.2);
  });

  it('says nothing about a temperature the server did not ask for', async () => {
    suite.fake.script([suite.fake.reply.text('ok')]);
    const { lines, sample } = sampler();
    await sample({ server: 'memory', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], maxTokens: 10 });
    assert.deepEqual(lines, []);
  });
});
