// A tool provider that waits for a person before running the calls the policy says need approval.
// The asking itself (buttons in the thread) is the Slack side's Approver; this gate owns the rules:
// the time limit, the turn being stopped meanwhile, and what Claude is told when the answer is no.
// A call that is not approved never reaches the hub; Claude gets an is_error result that says why,
// so it can tell the user instead of trying again.
import { silentLogger, type Logger } from '../log.js';
import type { ToolCallOptions, ToolCallResult, ToolDefinition, ToolProvider } from '../mcp/types.js';
import type { Conversation } from './types.js';
import { formatSeconds } from './words.js';

/** What the approver is told about the conversation a call comes from. */
export interface ApprovalContext extends Conversation {
  /** The conversation (thread) key, for logs and for finding the thread. */
  conversationKey?: string;
}

export interface ApprovalRequest {
  /** The namespaced name Claude called. */
  name: string;
  /** Where it really lives, as the tool notes show it. */
  server: string;
  tool: string;
  description: string;
  annotations?: ToolDefinition['annotations'];
  args: Record<string, unknown>;
  /** The tool_use id, when the caller passes it in the call options (ties the request to its tool note). */
  toolUseId?: string;
  context: ApprovalContext;
  /**
   * How long the request stays open. The approver answers "expired" itself when it is up (and says
   * so in its message); the gate's own timer, a little later, only ends a wait the approver never ends.
   */
  timeoutMs: number;
  /**
   * Aborted when the gate stops waiting without the approver's answer: `signal.reason` is "expired"
   * (nobody answered in time) or "cancelled" (the turn was stopped). Take the buttons down then.
   */
  signal: AbortSignal;
}

/** A person's answer, or none in time. */
export interface ApprovalDecision {
  decision: 'approved' | 'denied' | 'expired';
  /** Who decided (a Slack user id), for the log. */
  by?: string;
}

/** The Slack side: asks a person (with buttons) and resolves with their decision. */
export interface Approver {
  request(request: ApprovalRequest): Promise<ApprovalDecision>;
}

export interface ApprovalGateOptions {
  needsApproval: (tool: ToolDefinition) => boolean;
  approver: Approver;
  context: ApprovalContext;
  timeoutMs: number;
  /** Every decision is logged (the audit trail of who let what run). */
  logger?: Logger;
}

interface Outcome {
  decision: ApprovalDecision['decision'] | 'cancelled' | 'failed';
  by?: string;
  /** Why asking failed. */
  error?: string;
}

/** The gate's timer waits this much longer than the approver's, so the approver's own "expired" normally wins. */
function backstopMs(timeoutMs: number): number {
  return timeoutMs + Math.min(10_000, Math.ceil(timeoutMs / 10));
}

export function approvalGate(inner: ToolProvider, options: ApprovalGateOptions): ToolProvider {
  const log = options.logger ?? silentLogger;
  return {
    listTools: () => inner.listTools(),
    async callTool(name, args, callOptions = {}) {
      const tool = inner.listTools().find((t) => t.name === name);
      if (tool === undefined || !options.needsApproval(tool)) return inner.callTool(name, args, callOptions);
      const outcome = await ask(options, tool, args, callOptions);
      const fields = { server: tool.server, tool: tool.tool, user: options.context.userId, channel: options.context.channel };
      if (outcome.decision === 'approved') {
        log.info('tool call approved', { ...fields, by: outcome.by });
        return inner.callTool(name, args, callOptions);
      }
      log.info('tool call not approved', { ...fields, decision: outcome.decision, ...(outcome.by === undefined ? {} : { by: outcome.by }) });
      return notRun(outcome.decision, outcome.error ?? 'no reason given', options.timeoutMs);
    },
  };
}

function ask(options: ApprovalGateOptions, tool: ToolDefinition, args: Record<string, unknown>, callOptions: ToolCallOptions): Promise<Outcome> {
  const turn = callOptions.signal;
  if (turn?.aborted) return Promise.resolve({ decision: 'cancelled' });
  const closed = new AbortController();
  // ToolCallOptions may carry the tool_use id (the agent's tool runner can pass it); read it only if there.
  const toolUseId = 'toolUseId' in callOptions && typeof callOptions.toolUseId === 'string' ? callOptions.toolUseId : undefined;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome, closeReason?: 'expired' | 'cancelled') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      turn?.removeEventListener('abort', onAbort);
      if (closeReason) closed.abort(closeReason);
      resolve(outcome);
    };
    const onAbort = () => settle({ decision: 'cancelled' }, 'cancelled');
    // Not unref'd: this timer is what guarantees the wait ends, so it must keep the process alive.
    const timer = setTimeout(() => settle({ decision: 'expired' }, 'expired'), backstopMs(options.timeoutMs));
    turn?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<ApprovalDecision>;
    try {
      pending = options.approver.request({
        name: tool.name,
        server: tool.server,
        tool: tool.tool,
        description: tool.description,
        ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
        args,
        ...(toolUseId === undefined ? {} : { toolUseId }),
        context: options.context,
        timeoutMs: options.timeoutMs,
        signal: closed.signal,
      });
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    pending.then(
      (decision: unknown) => settle(checked(decision)),
      (error: unknown) => settle({ decision: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** Only a well-formed answer counts: anything else from the approver fails closed (the call does not run). */
function checked(value: unknown): Outcome {
  if (typeof value === 'object' && value !== null && 'decision' in value) {
    const { decision } = value;
    const by = 'by' in value && typeof value.by === 'string' ? { by: value.by } : {};
    if (decision === 'approved' || decision === 'denied' || decision === 'expired') return { decision, ...by };
  }
  return { decision: 'failed', error: 'the approver gave no decision' };
}

/** The is_error result Claude gets for a call that was not run, in words it can pass on. */
function notRun(decision: Exclude<Outcome['decision'], 'approved'>, error: string, timeoutMs: number): ToolCallResult {
  const result = (text: string, summary: string): ToolCallResult => ({ content: [{ type: 'text', text }], isError: true, summary });
  switch (decision) {
    case 'denied':
      return result('The user denied this call, so it was not run. Do not try it again unless the user asks you to.', 'denied');
    case 'expired': {
      const within = formatSeconds(timeoutMs / 1000);
      return result(`No one approved this call within ${within}, so it was not run.`, `not approved within ${within}`);
    }
    case 'cancelled':
      return result('The answer was stopped while this call waited for approval; it was not run.', 'cancelled');
    case 'failed':
      return result(`This call needs a person's approval, but asking for it failed (${error}); it was not run.`, 'approval could not be asked');
  }
}
