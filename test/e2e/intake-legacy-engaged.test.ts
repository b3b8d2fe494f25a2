// A thread the bot answered in before the durable inbox existed was marked in the history store
// (Keyv key `engaged:<thread>`). After the upgrade, a plain follow-up there (no mention) is still
// answered, with the thread's history; a plain message in a thread never marked is still left alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { legacyEngagedKey } from '../../src/intake/index.js';
import { openStore } from '../../src/store.js';
import { conversationKey } from '../../src/slack/intake/question.js';
import { reply, type MessagesRequest } from '../fakes/anthropic.js';
import { strictSlack } from '../fakes/slack-strict.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';
import { DEFAULT_TEAM_ID, nextTs } from '../helpers/sign.js';

strictSlack();

const lastText = (request: MessagesRequest | undefined) => JSON.stringify(request?.messages.at(-1)?.content ?? '');

describe('intake: threads engaged before the inbox', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'intake-legacy-'));
  const storeUrl = `sqlite://${path.join(dir, 'bot.sqlite')}`;
  const marked = nextTs();
  let h: Harness;
  before(async () => {
    // What the bot before the inbox left in the store for a thread it had answered in.
    const store = await openStore(storeUrl);
    await store.set(legacyEngagedKey(conversationKey(DEFAULT_TEAM_ID, 'C700', marked)), true, 60_000);
    await store.disconnect();
    h = await startHarness({ storeUrl, servers: {}, script: (request) => reply.text(`You said: ${lastText(request)}`) });
  });
  after(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a plain follow-up in a thread marked the old way, and the next one too', async () => {
    const first = await h.message({ channel: 'C700', user: 'U7', text: 'old thread, new question', thread_ts: marked });
    assert.equal(first.response.status, 200);
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= 1, 30_000);
    await h.message({ channel: 'C700', user: 'U7', text: 'and another', thread_ts: marked });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= 2, 30_000);
    const answers = h.slack.messages('C700', marked).filter((m) => m.stream);
    assert.equal(answers.length, 2, 'each follow-up answered once, in the thread');
    assert.match(answers[0]?.markdown_text ?? '', /old thread, new question/);
    assert.match(answers[1]?.markdown_text ?? '', /and another/);
  });

  it('still leaves a plain message alone in a thread that was never marked', async () => {
    const root = nextTs();
    const callsBefore = h.anthropic.calls.length;
    const stopsBefore = h.slack.calls('chat.stopStream').length;
    await h.message({ channel: 'C701', user: 'U7', text: 'people talking', thread_ts: root });
    // One thread's messages go in order: once the mention after it is answered, the plain one was seen.
    await h.mention({ channel: 'C701', user: 'U7', text: '<@U0FAKEBOT1> now you', thread_ts: root });
    await h.slack.waitUntil(() => h.slack.calls('chat.stopStream').length >= stopsBefore + 1, 30_000);
    assert.equal(h.anthropic.calls.length, callsBefore + 1, 'only the mention went to the model');
    assert.doesNotMatch(lastText(h.anthropic.calls.at(-1)), /people talking/);
  });
});
