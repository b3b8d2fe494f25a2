// Answers an MCP server's sampling request (a server asking for a model completion) with Claude,
// within a token cap. Whether it may run at all is decided before this is called (the Slack side
// asks the person, like a tool approval).
//
// A server's `temperature` is not sent, and the log says so. The SDK (1.x) speaks API version
// 2026-10-21, which removed temperature, top_p and top_k: sending one, at any value and to any model,
// is a 400 ("temperature: Extra inputs are not permitted"; platform.claude.com/docs/en/api/
// migration-2026-10-21). Before that version, models from Claude Opus 4.7 on (Sonnet 5 and 5.5,
// the default model, among them) already refused a non-default value (platform.claude.com/docs/
// models/sonnet-5/migration-guide). MCP lets the client review and modify a sampling request before it
// samples (modelcontextprotocol.io, client "Sampling"), so it is answered without it rather than failed.
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../log.js';
import type { SamplingRequest, SamplingResponse } from '../mcp/types.js';
import { observeModelCall } from '../observe/genai.js';
import { noTelemetry, type Telemetry } from '../observe/telemetry.js';
import { isAbort } from './model-errors.js';

export interface SamplerOptions {
  client: Anthropic;
  model: string;
  /** The most tokens a server may ask for, whatever it requests. */
  maxTokensCap: number;
  logger: Logger;
  /** The call's span and metrics, like the turn's own Claude calls (src/observe/); default none. */
  telemetry?: Telemetry;
}

export type Sampler = (request: SamplingRequest, signal?: AbortSignal) => Promise<SamplingResponse>;

const STOP_REASONS: Record<string, string> = { end_turn: 'endTurn', max_tokens: 'maxTokens', stop_sequence: 'stopSequence' };

export function createSampler(options: SamplerOptions): Sampler {
  return async (request, signal) => {
    if (request.temperature !== undefined) {
      options.logger.info('sampling: temperature dropped, the Messages API no longer takes it', {
        server: request.server,
        model: options.model,
        temperature: request.temperature,
      });
    }
    const messages: Anthropic.MessageParam[] = request.messages.map((message) => ({
      role: message.role,
      content: message.content.map((part): Anthropic.TextBlockParam | Anthropic.ImageBlockParam =>
        part.type === 'text'
          ? { type: 'text', text: part.text || ' ' }
          : { type: 'image', source: { type: 'base64', media_type: imageType(part.mimeType), data: part.data } },
      ),
    }));
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: options.model,
      max_tokens: Math.max(1, Math.min(request.maxTokens, options.maxTokensCap)),
      messages,
      ...(request.systemPrompt ? { system: request.systemPrompt } : {}),
      ...(request.stopSequences?.length ? { stop_sequences: request.stopSequences } : {}),
    };
    const response = await observeModelCall(options.telemetry ?? noTelemetry, params, isAbort, () => options.client.messages.create(params, signal ? { signal } : {}));
    const text = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return { text, model: response.model, stopReason: STOP_REASONS[response.stop_reason ?? ''] ?? response.stop_reason ?? 'endTurn' };
  };
}

function imageType(mime: string): 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' {
  return mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp' ? mime : 'image/png';
}
