// The policy's decisions, as pure functions of the policy and the conversation: may this person ask
// here, which tools are offered here, which calls wait for a person's approval, who may approve.
// The reasons are sentences for the person who asked (they are posted in the thread as they are).
import type { ToolDefinition } from '../mcp/types.js';
import { isDestructive, isReadOnly } from './annotations.js';
import { matchesAny } from './glob.js';
import { DIRECT_MESSAGES, type Conversation, type Policy } from './types.js';

export type Decision = { ok: true } | { ok: false; reason: string };

/** A channel list holds channel ids, and "dm" for every direct message. */
function names(list: readonly string[], where: Pick<Conversation, 'channel' | 'isDirect'>): boolean {
  return list.includes(where.channel) || (where.isDirect && list.includes(DIRECT_MESSAGES));
}

export function mayUse(policy: Policy, conversation: Conversation): Decision {
  const { users, channels } = policy;
  if (users.deny.includes(conversation.userId) || (users.allow !== undefined && !users.allow.includes(conversation.userId))) {
    return { ok: false, reason: 'You are not on the list of people who may use this bot; an admin can add you to its access policy.' };
  }
  if (names(channels.deny, conversation) || (channels.allow !== undefined && !names(channels.allow, conversation))) {
    return {
      ok: false,
      reason: conversation.isDirect
        ? 'This bot does not answer direct messages; please ask in a channel where it is enabled.'
        : 'This bot is not enabled in this channel; an admin can add it to its access policy.',
    };
  }
  return { ok: true };
}

/** Whether a server may be used at all in this conversation (its prompts and resources too). */
export function serverAllowed(policy: Policy, server: string, conversation: Conversation): boolean {
  const rule = policy.servers.get(server);
  return rule?.channels === undefined || names(rule.channels, conversation);
}

/** Which tools of the catalog are offered in this conversation (the others are not shown to Claude at all). */
export function toolsFor(policy: Policy, conversation: Conversation): (tool: ToolDefinition) => boolean {
  return (tool) => {
    const rule = policy.servers.get(tool.server);
    if (!rule) return true;
    if (!serverAllowed(policy, tool.server, conversation)) return false;
    if (rule.allowTools !== undefined && !matchesAny(rule.allowTools, tool.tool)) return false;
    return !matchesAny(rule.denyTools, tool.tool);
  };
}

/** Whether a call to this tool waits for a person's approval. Explicit rules first, then the annotations. */
export function needsApproval(policy: Policy, tool: ToolDefinition): boolean {
  const rule = policy.servers.get(tool.server);
  if (matchesAny(rule?.requireApproval, tool.tool)) return true;
  if (matchesAny(rule?.skipApproval, tool.tool)) return false;
  if (policy.approval.destructive && isDestructive(tool)) return true;
  return policy.approval.notReadOnly && !isReadOnly(tool);
}

/** Who may decide on a call: the person who asked, and the approvers the policy lists. */
export function mayApprove(policy: Policy, who: { userId: string; askerId: string }): boolean {
  return who.userId === who.askerId || (policy.approvers?.includes(who.userId) ?? false);
}
