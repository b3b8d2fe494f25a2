// What the App Home and /mcp show: the connected servers and their state, their tools (marking
// those that need approval), and the person's recent threads with a button to forget each.
// Pure: it builds Block Kit from plain data.
import type { types } from '@slack/bolt';
import type { ServerStatus, ToolDefinition } from '../../mcp/types.js';
import { clippedMrkdwn, escapeMrkdwn, inlineCode } from '../reply/escape.js';
import type { RecentThread } from './recent-threads.js';

export const FORGET_ACTION_ID = 'forget_thread';
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
  blocks.push({ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: 'Your recent threads' } });
  if (input.recent.length === 0) blocks.push(section('None yet: mention the bot in a channel or write to it here.'));
  for (const thread of input.recent) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<#${thread.channel}> · ${escapeMrkdwn(thread.title)} · <!date^${Math.floor(thread.at / 1000)}^{date_short_pretty} {time}|recently>` },
      accessory: {
        type: 'button',
        action_id: FORGET_ACTION_ID,
        text: { type: 'plain_text', text: 'Forget' },
        value: thread.key,
        confirm: {
          title: { type: 'plain_text', text: 'Forget this thread?' },
          text: { type: 'plain_text', text: 'The bot will no longer remember what was said in it.' },
          confirm: { type: 'plain_text', text: 'Forget' },
          deny: { type: 'plain_text', text: 'Keep' },
        },
      },
    });
  }
  return blocks;
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
