// Before a turn: which OAuth servers the person has connected. Their tools are offered; for a server
// they have not connected (and may use), they get, privately in the thread, a **Connect <server>**
// button that opens the server's sign-in page, and the question waits (parked in the sign-in's
// state, src/oauth/states.ts); the callback puts it back in the inbox and it is answered then, without
// being asked again. A person who asks again in the same thread while a sign-in is pending goes on
// without that server (they chose not to connect, for now).
import type { types, webApi } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { PersonalView, Person, ToolProvider } from '../../mcp/index.js';
import type { SignInStates } from '../../oauth/states.js';
import { STATE_TTL_MS } from '../../oauth/states.js';
import type { Store } from '../../store.js';
import type { Question } from '../intake/question.js';
import { escapeMrkdwn } from '../reply/escape.js';

export interface SignInHub {
  forPerson(person: Person): Promise<PersonalView>;
  signInUrl(person: Person, server: string, state: string): Promise<string | undefined>;
}

export interface ConnectDeps {
  hub: SignInHub;
  states: SignInStates;
  /** Remembers which sign-ins a thread was offered (at most once per person, server and thread a while). */
  store: Store;
  logger: Logger;
}

/** The action_id prefix of the Connect buttons (a link button still sends an action, acked in app.ts). */
export const CONNECT_ACTION = 'oauth_connect';
/** Slack's button element: `url` at most 3000 characters (docs.slack.dev/reference/block-kit/block-elements/button-element). */
export const MAX_BUTTON_URL = 3000;

export type Gate = { kind: 'go'; tools: ToolProvider } | { kind: 'parked'; servers: string[] };

export type ConnectGate = (question: Question, client: webApi.WebClient, allowed: (server: string) => boolean) => Promise<Gate>;

export function createConnectGate(deps: ConnectDeps): ConnectGate {
  return async (question, client, allowed) => {
    const person = { teamId: question.teamId, userId: question.userId };
    const view = await deps.hub.forPerson(person);
    const missing = view.unconnected.filter(allowed);
    const offered: string[] = [];
    for (const server of missing) {
      const round = view.stepUps[server];
      // Each step-up round is a new prompt, even in a thread that was offered the first sign-in.
      const key = `oauth:offered:${question.key}:${question.userId}:${server}${round === undefined ? '' : `:stepup${round}`}`;
      // Offered in this thread already: the person asked again instead of connecting.
      if (await deps.store.get(key)) continue;
      const state = await deps.states.create({ ...person, server, then: question });
      const url = await deps.hub.signInUrl(person, server, state);
      if (url === undefined) continue;
      await deps.store.set(key, true, STATE_TTL_MS);
      await client.chat.postEphemeral({
        channel: question.channel,
        user: question.userId,
        thread_ts: question.threadTs,
        text: `To answer this I need ${server}: connect your account.`,
        blocks: connectBlocks(server, url, round !== undefined),
      });
      deps.logger.info('oauth connect offered', { conversation: question.key, server });
      offered.push(server);
    }
    return offered.length > 0 ? { kind: 'parked', servers: offered } : { kind: 'go', tools: view.tools };
  };
}

function connectBlocks(server: string, url: string, stepUp: boolean): types.KnownBlock[] {
  const name = escapeMrkdwn(server);
  const why = stepUp ? `*${name}* needs more permissions than your account granted me` : `To answer this I need *${name}*, and you have not connected your account there yet`;
  const intro: types.KnownBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: `${why}. I will answer as soon as you have (the link works for 10 minutes). Ask again to go on without it.` },
  };
  if (url.length > MAX_BUTTON_URL) {
    return [intro, { type: 'section', text: { type: 'mrkdwn', text: `<${url}|Connect ${name}>` } }];
  }
  return [
    intro,
    {
      type: 'actions',
      elements: [{ type: 'button', action_id: `${CONNECT_ACTION}:${server}`.slice(0, 255), text: { type: 'plain_text', text: `Connect ${server}`.slice(0, 75) }, url, style: 'primary' }],
    },
  ];
}
