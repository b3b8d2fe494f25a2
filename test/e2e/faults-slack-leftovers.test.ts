// What a fault or a burst could leave behind in Slack, through the real bot:
//
// - A stream the bot gives up on (Slack failed chat.appendStream with a platform error, and the rest
//   of the answer is posted instead) must be closed, or its message looks unfinished until Slack
//   ends it minutes later; and closing it must not send the text of the failed call again, which
//   the posted message carries (src/slack/reply/reply-writer.ts).
// - Tool names, arguments, progress and results shown in task notes (and, once the bot posts
//   instead of streaming, in lines of the posted answer) must go through the same ping filter as
//   Claude's own text (src/slack/reply/thread-sink.ts).
// - One person's recent threads (App Home, /mcp) are read, changed and written back: questions
//   asked at the same moment must not overwrite each other's entry, or threads go missing from the
//   list and "Forget" is refused for them (src/slack/home/recent-threads.ts, src/slack/home/listeners.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reply } from '../fakes/anthropic.js';
import type { VisibleMessage } from '../fakes/slack-api.js';
import { startFaultBot, visibleText, type FaultBot } from '../helpers/fault-harness.js';
import { EVERYTHING_SERVER, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { openHome } from '../helpers/home.js';
import { blockActionsPayload, DEFAULT_TEAM_ID, postInteraction } from '../helpers/sign.js';
import { strictSlack } from '../fakes/slack-strict.js';

strictSlack();

describe('faults: what is left behind in Slack', () => {
  let bot: FaultBot;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faults-leftovers-'));
    const policy = path.join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ servers: { everything: { skipApproval: ['echo'] } } }));
    bot = await startFaultBot({ servers: { everything: EVERYTHING_SERVER }, env: { POLICY_CONFIG: policy } });
  });
  after(async () => {
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Everything a person could be notified by in these messages: text, Markdown, blocks and task notes. */
  const livePings = (messages: VisibleMessage[]) => {
    const shown = messages.flatMap((m) => [visibleText(m), m.text ?? '', JSON.stringify(m.blocks ?? []), ...m.tasks.flatMap((t) => [t.title, t.details ?? '', t.output ?? ''])]);
    return shown.join('\n').match(/<!(channel|here|everyone)\b[^>]*>|<!subteam\^[^>]*>|<@U0OTHER1[^>]*>|(?<![\w@.\u2060])@(channel|here|everyone)\b/g) ?? [];
  };
  const PINGS = '<!channel> @here <@U0OTHER1>';

  it('a tool echoing @channel pings: its task note is defused like Claude\'s own text', async () => {
    bot.plan('q-echo-pings', [reply.tools([{ id: 'toolu_pings', name: 'everything__echo', input: { message: PINGS } }]), reply.text('Echoed.')]);
    const asked = await bot.ask({ channel: 'C8700', word: 'q-echo-pings' });
    assert.equal(asked.messages.flatMap((m) => m.tasks).find((t) => t.id === 'toolu_pings')?.status, 'complete');
    assert.deepEqual(livePings(asked.messages), []);
  });

  it('a tool echoing @channel pings while Slack refuses to stream: the posted line for the tool is defused too', async () => {
    bot.plan('q-echo-posted', [reply.tools([{ id: 'toolu_posted', name: 'everything__echo', input: { message: PINGS } }]), reply.text('Echoed.')]);
    bot.h.slack.failNext('chat.startStream', { error: 'fatal_error' });
    const asked = await bot.ask({ channel: 'C8710', word: 'q-echo-posted' });
    assert.match(asked.text, /everything\/echo/, 'the finished tool call is a line of the posted answer');
    assert.deepEqual(livePings(asked.messages), []);
  });

  it('Slack failing chat.appendStream mid-answer: the answer arrives whole and once, and no message is left looking unfinished', async () => {
    const word = 'q-left-streaming';
    const answer = `${word}: ` + Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1}.`).join(' ') + ' The end.';
    bot.plan(word, [reply.text(answer, { stream: { chunks: 8, durationMs: 600 } })]);
    bot.h.slack.failNext('chat.appendStream', { error: 'internal_error' });
    const asked = await bot.ask({ channel: 'C8500', word });
    assert.equal(asked.text.replace(/\s+/g, ' ').trim(), answer, 'the answer, whole and nothing twice');
    const states = asked.messages.map((m) => m.stream ?? 'posted');
    assert.ok(!states.includes('streaming'), `every message of the answer is finished: ${states.join()}`);
  });

  it('one person asking in ten threads at once: all ten are in their recent threads, and each can be forgotten', async () => {
    const user = 'U0BUSYPERSON';
    const words = Array.from({ length: 10 }, (_, i) => `q-mine${i}`);
    const asked = await Promise.all(words.map((word, i) => bot.ask({ channel: `C86${i}0`, word, user })));

    const home = await openHome(bot.h, user, 'D8600');
    const listed = words.filter((word) => home.includes(word));
    assert.deepEqual(listed, words, 'the Home tab lists every thread the person asked in');

    for (const [i, thread] of asked.entries()) {
      const channel = `C86${i}0`;
      const responseUrl = bot.h.slack.responseUrl(`forget-${i}`);
      const payload = blockActionsPayload({
        action_id: 'forget_thread',
        value: `${DEFAULT_TEAM_ID}:${channel}:${thread.thread}`,
        user,
        channel,
        message_ts: thread.thread,
        response_url: responseUrl,
      });
      assert.equal((await postInteraction(`${bot.h.url}/slack/events`, payload, { signingSecret: TEST_SIGNING_SECRET })).status, 200);
      const said = await bot.h.slack.waitFor((c) => c.method === 'response_url' && c.body.response_url === responseUrl, 5000);
      assert.match(String(said.body.text), /has forgotten that thread/, `thread ${i + 1}: ${String(said.body.text)}`);
    }
  });
});
