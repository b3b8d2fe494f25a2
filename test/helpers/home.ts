// Opening the App Home tab as a person does (an app_home_opened event), and what it then shows.
import assert from 'node:assert/strict';
import type { Harness } from './bot-harness.js';
import { eventEnvelope, nextTs } from './sign.js';

/** Sends `user`'s app_home_opened, waits for the Home view the bot publishes for them, and returns it as JSON. */
export async function openHome(h: Harness, user: string, channel = `D${user}`): Promise<string> {
  const published = () => h.slack.calls('views.publish').filter((call) => call.status !== undefined && call.body.user_id === user).length;
  const before = published();
  const opened = eventEnvelope('app_mention', { channel, user, text: '' });
  const at = nextTs();
  opened.event = { type: 'app_home_opened', user, channel, tab: 'home', event_ts: at, ts: at };
  assert.equal((await h.send(opened)).status, 200);
  await h.slack.waitUntil(() => published() > before, 10_000);
  return JSON.stringify(h.slack.homeView(user));
}
