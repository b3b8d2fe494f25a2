// Answers an MCP server's sampling request (a server asking for a model completion) with Claude,
// within a token cap. Whether it may run at all is decided before this is called (the Slack side
// asks the person, like a tool approval).
import type Anthropic from '@anthropic-ai/sdk';
import type { SamplingRequest, SamplingResponse } from '../mcp/types.js';

export interface SamplerOptions {
  client: Anthropic;
  model: string;
  /** The most tokens a server may ask for, whatever it requests. */
  maxTokensCap: number;
}

export type Sampler = (request: SamplingRequest, signal?: AbortSignal) => Promise<SamplingResponse>;

const STOP_REASONS: Record<string, string> = { end_turn: 'endTurn', max_tokens: 'maxTokens', stop_sequence: 'stopSequence' };

export function createSampler(options: SamplerOptions): Sampler {
  return async (request, signal) => {
    const messages: Anthropic.MessageParam[] = request.messages.map((message) => ({
      role: message.role,
      content: message.content.map((part): Anthropic.TextBlockParam | Anthropic.ImageBlockParam =>
        part.type === 'text'
          ? { type: 'text', text: part.text || ' ' }
          : { type: 'image', source: { type: 'base64', media_type: imageType(part.mimeType), data: part.data } },
      ),
    }));
    const response = await options.client.messages.create(
      {
        model: options.model,
        max_tokens: Math.max(1, Math.min(request.maxTokens, options.maxTokensCap)),
        messages,
        ...(request.systemPrompt ? { system: request.systemPrompt } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.stopSequences?.length ? { stop_sequences: request.stopSequences } : {}),
      },
      signal ? { signal } : {},
    );
    const text = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return { text, model: response.model, stopReason: STOP_REASONS[response.stop_reason ?? ''] ?? response.stop_reason ?? 'endTurn' };
  };
}

function imageType(mime: string): 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' {
  return mime === 'image/jpeg' || mime === 'image/gif' || mime === 'image/webp' ? mime : 'image/png';
}
