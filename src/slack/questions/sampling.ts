// A server asks to use Claude (MCP sampling) during a tool call: the person who asked approves it
// like a tool call (server and the messages it sends), then Claude answers within a token cap.
// Without a person to ask, or without approval, the server gets an error and nothing is spent.
import type { Sampler } from '../../agent/sampler.js';
import type { SamplingHandler } from '../../mcp/types.js';
import type { Logger } from '../../log.js';
import { samplingHeadline, type Approvals } from './approvals.js';
import { slackContextOf } from './call-context.js';

export interface SamplingOptions {
  approvals: Approvals;
  sampler: Sampler;
  logger: Logger;
  /** How long the approval waits. */
  timeoutMs: number;
  maxTokensCap: number;
}

export const SAMPLING_TOOL = 'sampling';

export function createSamplingHandler(options: SamplingOptions): SamplingHandler {
  return async (request, context, extras) => {
    const target = slackContextOf(context);
    if (!target) throw new Error('Nobody is there to approve this request, so Claude was not asked.');
    // The person approves what Claude will read: every message in full (the approval shortens long
    // ones and its "Show full call" shows them whole), images by their type and size.
    const messages = request.messages.map((m) => ({ role: m.role, text: m.content.map((c) => (c.type === 'text' ? c.text : `[${c.mimeType} image, ${c.data.length} base64 characters]`)).join(' ') }));
    const outcome = await options.approvals.approverFor(target, samplingHeadline).request({
      name: `${request.server}:${SAMPLING_TOOL}`,
      server: request.server,
      tool: SAMPLING_TOOL,
      description: 'A server asks to use Claude',
      args: { messages, maxTokens: Math.min(request.maxTokens, options.maxTokensCap), ...(request.systemPrompt ? { systemPrompt: request.systemPrompt } : {}) },
      context: { userId: target.askedBy, channel: target.channel, isDirect: target.channel.startsWith('D'), conversationKey: target.conversation },
      timeoutMs: options.timeoutMs,
      signal: extras.signal,
    });
    if (outcome.decision !== 'approved') {
      options.logger.info('sampling refused', { conversation: target.conversation, server: request.server, decision: outcome.decision });
      throw new Error(outcome.decision === 'denied' ? 'The user declined to let this server use Claude.' : 'Nobody approved this request in time.');
    }
    const response = await options.sampler(request, extras.signal);
    options.logger.info('sampling answered', { conversation: target.conversation, server: request.server, chars: response.text.length });
    return response;
  };
}
