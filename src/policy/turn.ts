// The policy applied to one turn: the hub wrapped for this conversation (filter -> approval -> cap)
// and the round cap, as options for Conversations.runTurn. This is the one call the Slack side needs
// once a question has passed mayUse and checkMessageLength.
import type { TurnOptions } from '../agent/loop.js';
import type { Logger } from '../log.js';
import type { ToolProvider } from '../mcp/types.js';
import { needsApproval, toolsFor } from './access.js';
import { approvalGate, type ApprovalContext, type Approver } from './approval.js';
import { cappedResults } from './cap.js';
import { filteredTools } from './tools.js';
import type { Policy } from './types.js';

export interface PolicyTurnDeps {
  /** Asks a person for the calls that need approval (Slack: buttons in the thread). */
  approver: Approver;
  logger?: Logger;
}

/** The hub as this conversation may use it. Built per turn: it is cheap, and it holds the conversation. */
export function policyTools(hub: ToolProvider, policy: Policy, context: ApprovalContext, deps: PolicyTurnDeps): ToolProvider {
  const offered = filteredTools(hub, toolsFor(policy, context));
  const gated = approvalGate(offered, {
    needsApproval: (tool) => needsApproval(policy, tool),
    approver: deps.approver,
    context,
    timeoutMs: policy.approval.timeoutSeconds * 1000,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  return cappedResults(gated, policy.limits.toolResultChars);
}

/** What to pass as the last argument of Conversations.runTurn: the tools, and the limits the policy sets (absent: the agent's defaults). */
export function policyTurnOptions(hub: ToolProvider, policy: Policy, context: ApprovalContext, deps: PolicyTurnDeps): TurnOptions & { tools: ToolProvider } {
  const { toolRounds, toolCallsPerRound, toolResultBytesPerTurn } = policy.limits;
  return {
    tools: policyTools(hub, policy, context, deps),
    ...(toolRounds === undefined ? {} : { maxRounds: toolRounds }),
    ...(toolCallsPerRound === undefined ? {} : { toolCallsPerRound }),
    ...(toolResultBytesPerTurn === undefined ? {} : { toolResultBytesPerTurn }),
  };
}
