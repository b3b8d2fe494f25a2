// Turns a scripted MessageReply into what the API sends: a Message object (plain JSON) or the event
// sequence of a streamed response (message_start, ping, content_block_start/delta/stop per block,
// message_delta with stop_reason and usage, message_stop), in the shapes the SDK's MessageStream reads.
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageReply } from './anthropic-reply.js';
import { countTokens } from './anthropic-tokens.js';
import type { PromptUsage } from './anthropic-cache.js';

export interface SseEvent {
  event: string;
  data: unknown;
}

export function renderMessage(spec: MessageReply, model: string, callIndex: number, prompt: PromptUsage): Anthropic.Message {
  const content: Anthropic.ContentBlock[] = spec.content.map((block, i) =>
    block.type === 'text'
      ? { type: 'text', text: block.text, citations: null }
      : { type: 'tool_use', id: block.id ?? `toolu_fake_${callIndex}_${i}`, name: block.name, input: block.input, caller: { type: 'direct' } },
  );
  const hasToolUse = content.some((block) => block.type === 'tool_use');
  const usage = spec.usage ?? {};
  // A script that sets the input tokens sets the usage: the cache counts then default to none.
  const cache = usage.input_tokens === undefined ? prompt : { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  return {
    id: `msg_fake_${callIndex}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: spec.stopReason ?? (hasToolUse ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    stop_details: spec.stopDetails ?? null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: usage.input_tokens ?? prompt.input_tokens,
      output_tokens: usage.output_tokens ?? Math.max(1, countTokens(spec.content)),
      cache_read_input_tokens: usage.cache_read_input_tokens ?? cache.cache_read_input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? cache.cache_creation_input_tokens,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: 'standard',
      speed: null,
    },
  };
}

function split(text: string, pieces: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The events of a streamed response; the deltas are the ones a duration is spread over. */
export function renderStream(message: Anthropic.Message, spec: MessageReply): SseEvent[] {
  const events: SseEvent[] = [];
  const start: Anthropic.Message = {
    ...message,
    content: [],
    stop_reason: null,
    stop_details: null,
    usage: { ...message.usage, output_tokens: 1 },
  };
  events.push({ event: 'message_start', data: { type: 'message_start', message: start } });
  events.push({ event: 'ping', data: { type: 'ping' } });
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } } });
      const pieces = spec.stream?.chunks ?? Math.ceil(block.text.length / 12);
      for (const piece of split(block.text, pieces)) {
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } } });
      }
    } else if (block.type === 'tool_use') {
      events.push({
        event: 'content_block_start',
        data: { type: 'content_block_start', index, content_block: { ...block, input: {} } },
      });
      // Like the API: an empty first piece, then the input's JSON in a few pieces.
      const json = JSON.stringify(block.input);
      for (const piece of ['', ...split(json, 3)]) {
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } } });
      }
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  });
  if (spec.streamError) {
    events.push({ event: 'error', data: { type: 'error', error: spec.streamError } });
    return events;
  }
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null, stop_details: message.stop_details, container: null },
      usage: {
        input_tokens: message.usage.input_tokens,
        output_tokens: message.usage.output_tokens,
        cache_read_input_tokens: message.usage.cache_read_input_tokens,
        cache_creation_input_tokens: message.usage.cache_creation_input_tokens,
        server_tool_use: null,
        output_tokens_details: null,
      },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

export function formatSse(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
