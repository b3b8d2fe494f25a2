// Who a tool call is for, so that a server's question during the call (a form, a request to use
// Claude) reaches the right person in the right thread. The hub carries it untouched
// (ToolCallOptions.context) and hands it back to the question handlers.
import type { webApi } from '@slack/bolt';
import type { ToolCallOptions, ToolProvider } from '../../mcp/types.js';

export interface SlackCallContext {
  kind: 'slack';
  client: webApi.WebClient;
  conversation: string;
  channel: string;
  threadTs: string;
  /** The ts of the question the call is for (the key of messages about it); default the thread's root. */
  questionTs?: string;
  askedBy: string;
}

export function slackContextOf(context: unknown): SlackCallContext | undefined {
  return typeof context === 'object' && context !== null && (context as { kind?: unknown }).kind === 'slack' ? (context as SlackCallContext) : undefined;
}

/** The tools of one turn, each call tagged with the turn's Slack context. */
export function withCallContext(inner: ToolProvider, context: SlackCallContext): ToolProvider {
  return {
    listTools: () => inner.listTools(),
    callTool: (name: string, args: Record<string, unknown>, options: ToolCallOptions = {}) => inner.callTool(name, args, { ...options, context }),
  };
}
