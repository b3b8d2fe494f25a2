// A bot process killed outright (SIGKILL: an OOM kill, a lost VM) while Claude is answering, then
// started again on the same sqlite file: Slack had its ack and will not send the question again,
// so the inbox in the file is all there is. The person sees one note that the answer was
// interrupted, then the answer, once; nothing accepted is lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FAKE_API_KEY, reply, startFakeAnthropic, type MessagesRequest } from '../fakes/anthropic.js';
import { startFakeSlackApi } from '../fakes/slack-api.js';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../helpers/bot-harness.js';
import { botProcessEnv, freePort, startBotProcess, waitHealthy, type Run } from '../helpers/bot-process.js';
import { appMention, messageEvent, nextTs, postEvent } from '../helpers/sign.js';

const BOT = '<@U0FAKEBOT1>';
const asks = (request: MessagesRequest, word: string) => JSON.stringify(request.messages.at(-1)?.content ?? '').includes(word);

async function until(what: string, condition: () => boolean, run: Run, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${timeoutMs} ms; the bot wrote:\n${run.stderr.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('intake: a crash mid-turn on sqlite', () => {
  it('the restarted bot answers the question once, after one note that it was interrupted, and then the follow-up', async () => {
    const slack = await startFakeSlackApi();
    let crashCalls = 0;
    const anthropic = await startFakeAnthropic({
      script: (request) => {
        if (asks(request, 'q-crash') && ++crashCalls === 1) return reply.hang(); // the first attempt never gets its answer
        return reply.text(asks(request, 'q-crash') ? 'Answer to q-crash.' : 'Answer to q-next.');
      },
    });
    const cwd = mkdtempSync(path.join(tmpdir(), 'bot-crash-'));
    writeFileSync(path.join(cwd, 'mcp.json'), JSON.stringify({ mcpServers: {} }));
    const tokens = { bot: TEST_BOT_TOKEN, signing: TEST_SIGNING_SECRET, apiKey: FAKE_API_KEY };
    const start = async () => {
      const port = await freePort();
      const bot = startBotProcess(botProcessEnv({ slackApiUrl: slack.apiUrl, anthropicUrl: anthropic.url }, port, cwd, tokens), cwd);
      await waitHealthy(port, bot.run);
      return { ...bot, port };
    };
    const first = await start();
    let second: Awaited<ReturnType<typeof start>> | undefined;
    try {
      const root = nextTs();
      const events = `http://127.0.0.1:${first.port}/slack/events`;
      // The question is a message in Slack before Slack sends its event (the resumed turn reads the thread).
      slack.addUserMessage({ channel: 'C900', user: 'U9', text: `${BOT} q-crash`, ts: root });
      const asked = await postEvent(events, appMention({ channel: 'C900', user: 'U9', text: `${BOT} q-crash`, ts: root }), { signingSecret: TEST_SIGNING_SECRET });
      assert.equal(asked.status, 200, 'Slack has its ack: it will not send this question again');
      // A plain follow-up (no mention) while the first is being answered: the thread is already the bot's.
      const followed = await postEvent(events, messageEvent({ channel: 'C900', user: 'U9', text: 'q-next', thread_ts: root }), { signingSecret: TEST_SIGNING_SECRET });
      assert.equal(followed.status, 200);
      await until('the model to be asked q-crash', () => crashCalls === 1, first.run);

      first.child.kill('SIGKILL');
      await first.exited;
      second = await start();
      const run = second.run;
      const answers = (text: string) => slack.messages('C900', root).filter((m) => m.stream === 'stopped' && (m.markdown_text ?? '').includes(text));
      await until('the answers to q-crash and q-next', () => answers('Answer to q-crash.').length > 0 && answers('Answer to q-next.').length > 0, run);

      const notes = slack.messages('C900', root).filter((m) => /interrupted/.test(m.text ?? ''));
      assert.equal(notes.length, 1, 'one note that the answer was interrupted');
      assert.equal(answers('Answer to q-crash.').length, 1, 'the question is answered once');
      assert.equal(answers('Answer to q-next.').length, 1, 'the follow-up is answered once');
      const [note, crash, next] = [notes[0], answers('Answer to q-crash.')[0], answers('Answer to q-next.')[0]];
      assert.ok(note && crash && next && Number(note.ts) < Number(crash.ts) && Number(crash.ts) < Number(next.ts), 'note, answer, follow-up: in order');
      assert.equal(crashCalls, 2, 'one killed attempt and one answer');
      assert.deepEqual(anthropic.rejections, []);
      const health = (await (await fetch(`http://127.0.0.1:${second.port}/healthz`)).json()) as { turns?: { running: number; queued: number; max: number } };
      assert.equal(health.turns?.queued, 0, 'nothing left in the inbox');
    } finally {
      for (const bot of [first, second]) if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
      await slack.close();
      await anthropic.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
