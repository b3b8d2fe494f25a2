// The bot's own transcript rules and the fake API (written apart) must agree: what validate accepts,
// the fake accepts once a question is appended; what validPrefix keeps of a broken transcript, too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { appendUserMessage, isValid, trimToBudget, validPrefix } from '../../src/agent/transcript.js';
import type { Transcript } from '../../src/agent/types.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic.js';
import { TEST_MODEL } from '../fakes/anthropic-harness.js';
import { assistant, text, toolResult, toolTurn, toolUse, user } from '../fakes/anthropic-transcripts.js';

const tools: Anthropic.Tool[] = [{ name: 'echo', input_schema: { type: 'object' } }];

describe('transcript rules agree with the fake API', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;
  before(async () => {
    fake = await startFakeAnthropic({ script: () => ({ kind: 'message', content: [{ type: 'text', text: 'ok' }] }) });
    client = fake.client();
  });
  after(() => fake.close());

  const send = (messages: Transcript) => client.messages.create({ model: TEST_MODEL, max_tokens: 10, tools, messages });

  const broken: Transcript[] = [
    [...toolTurn('a', 1), user('q'), assistant([toolUse('x1')])],
    [...toolTurn('a', 2), user('q'), assistant([toolUse('x1'), toolUse('x2')]), user([toolResult('x2')])],
    [...toolTurn('a', 1), user([text('')]), assistant('fine')],
    [...toolTurn('a', 1), user('q'), assistant([toolUse('x1')]), user([text('before'), toolResult('x1')])],
    [...toolTurn('a', 1), user('q'), assistant([toolUse('x1')]), user([toolResult('x1', [{ type: 'resource_link', uri: 'x' } as never])])],
  ];

  it('accepts what validate accepts, and refuses the broken ones as they are', async () => {
    for (const transcript of broken) {
      assert.equal(isValid(transcript), false);
      await assert.rejects(send(appendUserMessage(transcript, 'next question')));
    }
    const refused = fake.rejections.length;
    assert.equal(refused, broken.length);
    for (const transcript of broken) {
      const kept = appendUserMessage(validPrefix(transcript), 'next question');
      assert.ok(isValid(kept));
      await send(kept);
    }
    assert.equal(fake.rejections.length, refused, JSON.stringify(fake.rejections.slice(refused)));
  });

  it('accepts every trimmed request', async () => {
    fake.rejections.length = 0;
    const transcript = appendUserMessage([...toolTurn('a', 3, 400), ...toolTurn('b', 1, 400), user('q'), assistant([toolUse('f1')]), user([toolResult('f1')])], 'go on');
    for (let budget = 0; budget < 3000; budget += 150) await send(trimToBudget(transcript, budget));
    assert.deepEqual(fake.rejections, []);
  });
});
