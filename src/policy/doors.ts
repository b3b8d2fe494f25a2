// What the other doors to the servers show a person (App Home, /mcp and its prompts and resources),
// by the same policy as a question: the servers allowed in that conversation, the tools offered there,
// and a server's last error only to the policy's approvers (it can carry paths, hosts or a token a
// server printed; the person who asks does not need it to ask, the admin reads it in the logs).
import type { ServerStatus, ToolDefinition } from '../mcp/types.js';
import { serverAllowed, toolsFor } from './access.js';
import type { Conversation, Policy } from './types.js';

/** Whether this person may read servers' error text: only the approvers the policy names. */
export function seesServerErrors(policy: Policy, userId: string): boolean {
  return policy.approvers?.includes(userId) ?? false;
}

/** Whether this person sees the team's spend on App Home (src/spend/): only the approvers the policy names. */
export function seesSpend(policy: Policy, userId: string): boolean {
  return policy.approvers?.includes(userId) ?? false;
}

/** The servers and tools this conversation may use, errors left out for people who may not see them. */
export function visibleCatalog(
  policy: Policy,
  conversation: Conversation,
  catalog: { servers: ServerStatus[]; tools: ToolDefinition[] },
): { servers: ServerStatus[]; tools: ToolDefinition[] } {
  const errors = seesServerErrors(policy, conversation.userId);
  const servers = catalog.servers
    .filter((server) => serverAllowed(policy, server.name, conversation))
    .map(({ lastError, ...rest }) => (errors && lastError !== undefined ? { ...rest, lastError } : rest));
  return { servers, tools: catalog.tools.filter(toolsFor(policy, conversation)) };
}
