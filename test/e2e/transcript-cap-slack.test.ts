// A thread that keeps pulling large tool results, through the real bot (Bolt over HTTP, sqlite, the
// real server-everything, the fake model): with THREAD_MAX_STORED_BYTES at its floor (100,000),
// every turn echoes 30,000 characters, so the thread passes its cap within a few turns. The stored
// history stays within the cap (plus its latest turn), the thread still answers, and the person is
// told once, in the thread, that old tool results were compacted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MessagesRequest } from '../fakes/anthropic.js';
import { reply } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { nextTs } from '../helpers/sign.js';

strictSlack();

const CAP = 100_000;
const TOLD = 'This thread has passed its storage limit';

const answeringToolResults = (request: MessagesRequest) => JSON.stringify(request.messages.at(-1)?.content ?? '').includes('"tool_result"');

describe('a thread past its stored-size cap, in Slack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { THREAD_MAX_STORED_BYTES: String(CAP) },
      script: (request, i) =>
        answeringToolResults(request)
          ? reply.text('Echoed it.')
          : reply.tools([{ id: `toolu_big${i}`, name: 'everything__echo', input: { message: `${i}`.padEnd(30_000, 'z') } }]),
    });
  });
  after(() => h.stop());

  it('compacts the stored history, keeps answering, and says so once in the thread', async () => {
    const channel = 'CCAP1';
    const thread = nextTs();
    const stopped = () => h.slack.messages(channel, thread).filter((m) => m.stream === 'stopped').length;
    for (let turn = 1; turn <= 6; turn++) {
      await h.mention({ channel, user: 'U0HEAVY', text: '<@U0FAKEBOT1> echo a lot again', ts: turn === 1 ? thread : nextTs(), thread_ts: turn === 1 ? undefined : thread });
      await h.slack.waitUntil(() => stopped() >= turn, 60_000);
    }
    const replies = h.slack.messages(channel, thread).filter((m) => m.stream === 'stopped');
    const told = replies.filter((m) => JSON.stringify(m).includes(TOLD));
    assert.equal(told.length, 1, 'told once');
    assert.ok(replies.indexOf(told[0] as (typeof replies)[number]) > 0, 'not before the thread had grown');
    assert.ok(replies.every((m) => JSON.stringify(m).includes('Echoed it.')), 'every turn was answered');
    const compactions = h.logLines.filter((line) => line.includes('"thread compacted"')).map((line) => JSON.parse(line) as { after: number; before: number });
    assert.ok(compactions.length > 0, 'the thread was compacted');
    assert.ok(compactions.every((c) => c.before > CAP && c.after <= CAP), JSON.stringify(compactions));
    assert.match(JSON.stringify(h.anthropic.calls.at(-1)?.messages), /\[compacted: /, 'what Claude reads afterwards carries the note');
    assert.deepEqual(h.anthropic.rejections, []);
  });
});
