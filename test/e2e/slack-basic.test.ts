// A mention in a channel, end to end: signed event -> Bolt -> conversation -> fake Claude calls a
// real server-everything tool -> the thread shows the tool note and the streamed answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('slack: a mention', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      script: (request, i) =>
        i === 0
          ? reply.tools([{ id: 'toolu_1', name: 'everything__echo', input: { message: 'ping' } }])
          : reply.text('The server said **ping** back.', { stream: { chunks: 4, durationMs: 100 } }),
    });
  });
  after(() => h.stop());

  it('answers in the thread with a tool note and the streamed answer', async () => {
    const { response } = await h.mention({ channel: 'C100', user: 'U100', text: '<@U0FAKEBOT1> echo ping please', ts: '1700000000.000100' });
    assert.equal(response.status, 200);
    await h.slack.waitFor((call) => call.method === 'chat.stopStream', 10_000);
    const thread = h.slack.messages('C100', '1700000000.000100');
    const answer = thread.find((m) => m.stream);
    assert.ok(answer, 'a streamed answer in the thread');
    assert.equal(answer.thread_ts, '1700000000.000100');
    assert.match(answer.markdown_text ?? '', /The server said \*\*ping\*\* back\./);
    assert.equal(answer.tasks.length, 1);
    assert.equal(answer.tasks[0]?.title, 'everything/echo');
    assert.equal(answer.tasks[0]?.status, 'complete');
    assert.match(answer.tasks[0]?.output ?? '', /done in/);
    assert.deepEqual(h.anthropic.rejections, []);
    // Token use is shown under the answer, for the turn and the thread.
    const usage = answer.blocks?.find((b) => b.type === 'context');
    assert.match(JSON.stringify(usage), /tokens in .* out · this thread: /);
    // Claude got the real tool's result back.
    const second = JSON.stringify(h.anthropic.calls[1]?.messages.at(-1));
    assert.match(second, /Echo: ping/);
  });
});
