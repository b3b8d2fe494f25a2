// The spend section of App Home, for the policy's approvers: today and the last 7 days, then people
// and channels by what they spent in those days. Pure: Block Kit from the summary (src/spend/).
import type { types } from '@slack/bolt';
import { formatUsd, SUMMARY_DAYS, type SpendSummary } from '../../spend/index.js';
import { escapeMrkdwn } from '../reply/escape.js';

// Ids come from Slack's own events, but they are read back from the store: only one shaped like an
// id (the shapes the policy file checks, src/policy/schema.ts) becomes a mention, anything else is
// shown as escaped text and can ping no one. A direct message is named as one: `<#D…>` names no channel.
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const DIRECT_ID = /^D[A-Z0-9]{2,}$/;

export function spendBlocks(summary: SpendSummary): types.KnownBlock[] {
  const totals = `*Today (UTC):* ${formatUsd(summary.todayMicroUsd)} · *Last ${SUMMARY_DAYS} days:* ${formatUsd(summary.weekMicroUsd)}`;
  const unpriced = summary.unpriced > 0 ? `\n${summary.unpriced} answer${summary.unpriced === 1 ? '' : 's'} on a model with no price (not counted; see PRICES_FILE)` : '';
  const blocks: types.KnownBlock[] = [
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Spend' } },
    section(totals + unpriced),
  ];
  if (summary.people.length > 0) {
    blocks.push(section(`*People, last ${SUMMARY_DAYS} days*\n${ranking(summary.people, (id) => (USER_ID.test(id) ? `<@${id}>` : escapeMrkdwn(id)))}`));
  }
  if (summary.channels.length > 0) {
    blocks.push(section(`*Channels, last ${SUMMARY_DAYS} days*\n${ranking(summary.channels, channelName)}`));
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'List prices × tokens; shown to approvers only.' }] });
  return blocks;
}

function channelName(id: string): string {
  if (CHANNEL_ID.test(id)) return `<#${id}>`;
  return DIRECT_ID.test(id) ? `a direct message (${id})` : escapeMrkdwn(id);
}

function ranking(rows: SpendSummary['people'], name: (id: string) => string): string {
  return rows.map((row, index) => `${index + 1}. ${name(row.id)} ${formatUsd(row.microUsd)}`).join('\n');
}

function section(text: string): types.KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
