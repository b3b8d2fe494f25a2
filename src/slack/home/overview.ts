// What the App Home and /mcp show: the connected servers and their state, their tools (marking
// those that need approval), the person's accounts on OAuth servers (Connect or Disconnect), and
// the person's recent threads with a button to forget each.
// Pure: it builds Block Kit from plain data.
import type { types } from '@slack/bolt';
import type { ServerStatus, ToolDefinition } from '../../mcp/types.js';
import { clippedMrkdwn, escapeMrkdwn, inlineCode } from '../reply/escape.js';
import type { RecentThread } from './recent-threads.js';
import type { Account } from '../oauth/accounts.js';
import { CONNECT_ACTION, MAX_BUTTON_URL } from '../oauth/connect.js';

export const FORGET_ACTION_ID = 'forget_thread';
/** The Disconnect button of an OAuth account; its value is the server's name. */
export const DISCONNECT_ACTION_ID = 'oauth_disconnect';
/** Slack allows 50 blocks a message (100 in a Home tab); keep room for the rest. */
const MAX_SERVER_BLOCKS = 30;
const STATE_ICON: Record<ServerStatus['state'], string> = {
  up: ':large_green_circle:',
  connecting: ':large_yellow_circle:',
  restarting: ':large_orange_circle:',
  down: ':red_circle:',
  failed: ':red_circle:',
};

export interface OverviewInput {
  servers: ServerStatus[];
  tools: ToolDefinition[];
  needsApproval: (tool: ToolDefinition) => boolean;
  recent: RecentThread[];
  /** The person's accounts on the OAuth servers (absent or empty: no such section). */
  accounts?: Account[];
}

export function overviewBlocks(input: OverviewInput): types.KnownBlock[] {
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'MCP servers' } }];
  if (input.servers.length === 0) {
    blocks.push(section('No MCP servers are configured: Claude answers on its own.'));
  }
  for (const server of input.servers.slice(0, MAX_SERVER_BLOCKS)) {
    const tools = input.tools.filter((t) => t.server === server.name);
    // Tool names and the last error (a stderr line) come from the server: escaped.
    const state = `${STATE_ICON[server.state]} *${escapeMrkdwn(server.name)}* ${server.state}${server.restarts > 0 ? ` (restarted ${server.restarts}×)` : ''}`;
    const error = server.lastError && server.state !== 'up' ? `\n> ${clippedMrkdwn(server.lastError.replace(/\s*\n\s*/g, ' '), 200)}` : '';
    const names = tools.map((t) => `${inlineCode(t.tool)}${input.needsApproval(t) ? ' :lock:' : ''}`);
    const list = names.length > 0 ? '\n' + fitList(names, 2900 - state.length - error.length - 1) : '';
    blocks.push(section(state + error + list));
  }
  if (input.tools.some(input.needsApproval)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':lock: needs your approval before it runs' }] });
  }
  blocks.push(...accountBlocks(input.accounts ?? []));
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Your recent threads' } });
  if (input.recent.length === 0) blocks.push(section('None yet: mention the bot in a channel or write to it here.'));
  for (const thread of input.recent) {
    blocks.push(
      confirmedButton(
        `<#${thread.channel}> · ${escapeMrkdwn(thread.title)} · <!date^${Math.floor(thread.at / 1000)}^{date_short_pretty} {time}|recently>`,
        { actionId: FORGET_ACTION_ID, label: 'Forget', value: thread.key, title: 'Forget this thread?', text: 'The bot will no longer remember what was said in it.' },
      ),
    );
  }
  return blocks;
}

/** Each OAuth server with whether the person is connected, and Connect (a link button) or Disconnect. */
function accountBlocks(accounts: Account[]): types.KnownBlock[] {
  if (accounts.length === 0) return [];
  const blocks: types.KnownBlock[] = [{ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Your accounts' } }];
  for (const account of accounts.slice(0, MAX_SERVER_BLOCKS)) {
    const name = escapeMrkdwn(account.server);
    if (account.connected) {
      blocks.push(
        confirmedButton(`:large_green_circle: *${name}*: connected as you`, {
          actionId: DISCONNECT_ACTION_ID,
          label: 'Disconnect',
          value: account.server,
          title: 'Disconnect?',
          text: `The bot forgets your sign-in to ${account.server} (and revokes it where the server allows). Its tools are no longer used for you until you connect again.`,
        }),
      );
    } else if (account.connectUrl === undefined) {
      blocks.push(section(`:white_circle: *${name}*: not connected (the sign-in could not be started just now; try again in a moment)`));
    } else if (account.connectUrl.length > MAX_BUTTON_URL) {
      blocks.push(section(`:white_circle: *${name}*: not connected · <${account.connectUrl}|Connect ${name}>`));
    } else {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `:white_circle: *${name}*: not connected; its tools are not used for you` },
        // A link button (docs.slack.dev/reference/block-kit/block-elements/button-element: `url`); Slack
        // still sends its action, acked in app.ts by the CONNECT_ACTION prefix.
        accessory: { type: 'button', action_id: `${CONNECT_ACTION}:${account.server}`.slice(0, 255), text: { type: 'plain_text', text: `Connect ${account.server}`.slice(0, 75) }, url: account.connectUrl },
      });
    }
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Each person connects their own account: the bot acts on these servers as you.' }] });
  return blocks;
}

/** A section with a button that asks first ("Keep" backs out). */
function confirmedButton(text: string, button: { actionId: string; label: string; value: string; title: string; text: string }): types.KnownBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text },
    accessory: {
      type: 'button',
      action_id: button.actionId,
      text: { type: 'plain_text', text: button.label },
      value: button.value,
      // Slack's confirmation dialog: title at most 100 characters, text at most 300.
      confirm: {
        title: { type: 'plain_text', text: button.title.slice(0, 100) },
        text: { type: 'plain_text', text: button.text.slice(0, 300) },
        confirm: { type: 'plain_text', text: button.label },
        deny: { type: 'plain_text', text: 'Keep' },
      },
    },
  };
}

function section(text: string): types.KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** Items joined with " · " within `max` characters; whole items only (a cut would break a code span), then how many more. */
function fitList(items: string[], max: number): string {
  let text = '';
  for (const [index, item] of items.entries()) {
    const more = ` · …and ${items.length - index} more`;
    const next = text ? `${text} · ${item}` : item;
    if (next.length + (index < items.length - 1 ? more.length : 0) > max) return text ? text + more : more.slice(3);
    text = next;
  }
  return text;
}
