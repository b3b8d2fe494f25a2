// The body of one Messages API call. Tools go out as name/description/input_schema only (the hub's
// server/tool/annotations stay local). Prompt caching: one breakpoint on the system prompt (tools and
// system rarely change) and the top-level automatic one, which caches the conversation up to its
// last block, so each round of a turn re-reads the previous rounds from the cache. Two of four.
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../log.js';
import type { ToolDefinition } from '../mcp/types.js';
import type { Transcript } from './types.js';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface RequestInput {
  model: string;
  maxTokens: number;
  system?: string;
  tools: ToolDefinition[];
  messages: Transcript;
  /** The wrap-up call at the round cap: tools stay declared (the history holds tool blocks) but unused. */
  noMoreTools: boolean;
  promptCaching: boolean;
}

/**
 * The hub promises valid, unique names; a tool that breaks that promise would make every call fail
 * with a 400, so it is left out (and logged) instead.
 */
export function toolParams(tools: ToolDefinition[], logger: Logger): Anthropic.Tool[] {
  const seen = new Set<string>();
  const out: Anthropic.Tool[] = [];
  for (const tool of tools) {
    if (!TOOL_NAME.test(tool.name) || seen.has(tool.name)) {
      logger.warn('tool left out of the request: invalid or duplicate name', { tool: tool.name, server: tool.server });
      continue;
    }
    seen.add(tool.name);
    const param: Anthropic.Tool = { name: tool.name, input_schema: tool.input_schema };
    if (tool.description.trim() !== '') param.description = tool.description;
    out.push(param);
  }
  return out;
}

export function buildRequest(input: RequestInput, logger: Logger): Anthropic.MessageCreateParamsNonStreaming {
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: input.model,
    max_tokens: input.maxTokens,
    messages: input.messages,
  };
  const system = input.system?.trim() ? input.system : undefined;
  if (system) {
    params.system = [
      input.promptCaching ? { type: 'text', text: system, cache_control: { type: 'ephemeral' } } : { type: 'text', text: system },
    ];
  }
  const tools = toolParams(input.tools, logger);
  if (tools.length > 0) {
    params.tools = tools;
    if (input.noMoreTools) params.tool_choice = { type: 'none' };
  }
  if (input.promptCaching) params.cache_control = { type: 'ephemeral' };
  return params;
}
