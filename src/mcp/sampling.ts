// sampling/createMessage <-> the plain SamplingRequest / SamplingResponse the bot answers with Claude.
// Text and images pass as they are; anything else in a message (audio, tool use and results) is put
// into words rather than dropped, so the model still sees that it was there.
import { ErrorCode, McpError, type CreateMessageRequest, type CreateMessageResult, type SamplingMessageContentBlock } from '@modelcontextprotocol/sdk/types.js';
import { base64Bytes, formatBytes } from './convert.js';
import type { SamplingContent, SamplingRequest, SamplingResponse } from './types.js';

export function toSamplingRequest(server: string, params: CreateMessageRequest['params']): SamplingRequest {
  // Declared capabilities say we do not run tools inside sampling; the spec wants an error then.
  if (params.tools !== undefined || params.toolChoice !== undefined) {
    throw new McpError(ErrorCode.InvalidParams, 'this client does not support tool use in sampling requests');
  }
  const prefs = params.modelPreferences;
  const hints = prefs?.hints?.flatMap((hint) => (hint.name === undefined ? [] : [hint.name]));
  const modelPreferences = prefs && {
    ...(hints && hints.length > 0 ? { hints } : {}),
    ...(prefs.costPriority === undefined ? {} : { costPriority: prefs.costPriority }),
    ...(prefs.speedPriority === undefined ? {} : { speedPriority: prefs.speedPriority }),
    ...(prefs.intelligencePriority === undefined ? {} : { intelligencePriority: prefs.intelligencePriority }),
  };
  return {
    server,
    messages: params.messages.map((message) => ({
      role: message.role,
      content: (Array.isArray(message.content) ? message.content : [message.content]).map(toContent),
    })),
    maxTokens: params.maxTokens,
    ...(params.systemPrompt === undefined ? {} : { systemPrompt: params.systemPrompt }),
    ...(params.temperature === undefined ? {} : { temperature: params.temperature }),
    ...(params.stopSequences === undefined ? {} : { stopSequences: params.stopSequences }),
    ...(modelPreferences ? { modelPreferences } : {}),
  };
}

function toContent(block: SamplingMessageContentBlock): SamplingContent {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return { type: 'image', data: block.data, mimeType: block.mimeType };
    case 'audio':
      return { type: 'text', text: `[audio: ${block.mimeType}, ${formatBytes(base64Bytes(block.data))}; audio cannot be shown to the model]` };
    case 'tool_use':
      return { type: 'text', text: `[tool use ${block.name}: ${JSON.stringify(block.input)}]` };
    case 'tool_result':
      return { type: 'text', text: `[tool result for ${block.toolUseId}${block.isError ? ' (error)' : ''}]` };
  }
}

export function toCreateMessageResult(response: SamplingResponse): CreateMessageResult {
  return {
    role: 'assistant',
    content: { type: 'text', text: response.text },
    model: response.model,
    ...(response.stopReason === undefined ? {} : { stopReason: response.stopReason }),
  };
}
