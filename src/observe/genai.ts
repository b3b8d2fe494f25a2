// A Claude call and an MCP tool call, observed: a span named and described as the OpenTelemetry
// semantic conventions for generative AI say, and the metrics of the call.
//
// Attribute names are the constants of @opentelemetry/semantic-conventions (incubating entry), which
// follow open-telemetry/semantic-conventions-genai: docs/gen-ai/gen-ai-spans.md (inference span
// "{gen_ai.operation.name} {gen_ai.request.model}", kind CLIENT, operation "chat", provider
// "anthropic"), docs/gen-ai/mcp.md (MCP client span "{mcp.method.name} {gen_ai.tool.name}", kind
// CLIENT, mcp.method.name "tools/call", gen_ai.operation.name "execute_tool") and
// docs/gen-ai/execute-tool.md. Message content (gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.tool.call.arguments / result) goes in only when Tracing.captureContent is on.
import type Anthropic from '@anthropic-ai/sdk';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_MCP_METHOD_NAME,
} from '@opentelemetry/semantic-conventions/incubating';
import type { ToolCallResult } from '../mcp/types.js';
import type { ModelOutcome, Telemetry } from './telemetry.js';

/** Anthropic's provider name in the conventions (gen_ai.provider.name's well-known values). */
const PROVIDER_ANTHROPIC = 'anthropic';
/** The server a tool belongs to: no convention names it, so the attribute is the bot's own. */
export const ATTR_MCP_SERVER = 'slackbot.mcp.server';

/** Runs one Claude call (`call`) in a `chat <model>` span and counts it, its duration and its tokens. */
export async function observeModelCall(
  telemetry: Telemetry,
  params: Pick<Anthropic.MessageCreateParams, 'model' | 'max_tokens' | 'messages'>,
  isAbort: (error: unknown) => boolean,
  call: () => Promise<Anthropic.Message>,
): Promise<Anthropic.Message> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  return telemetry.span(
    `chat ${params.model}`,
    {
      kind: 'client',
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_ANTHROPIC,
        [ATTR_GEN_AI_REQUEST_MODEL]: params.model,
        [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: params.max_tokens,
        [ATTR_GEN_AI_INPUT_MESSAGES]: telemetry.captureContent ? JSON.stringify(params.messages) : undefined,
      },
    },
    async (span) => {
      let message: Anthropic.Message;
      try {
        message = await call();
      } catch (error) {
        const outcome: ModelOutcome = isAbort(error) ? 'aborted' : 'error';
        telemetry.modelCall(params.model, outcome, seconds());
        throw error;
      }
      telemetry.modelCall(params.model, 'ok', seconds(), message.usage);
      span.set({
        [ATTR_GEN_AI_RESPONSE_ID]: message.id,
        [ATTR_GEN_AI_RESPONSE_MODEL]: message.model,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: message.stop_reason ? [message.stop_reason] : undefined,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: message.usage.input_tokens,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: message.usage.output_tokens,
        [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: message.usage.cache_read_input_tokens ?? undefined,
        [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: message.usage.cache_creation_input_tokens ?? undefined,
        [ATTR_GEN_AI_OUTPUT_MESSAGES]: telemetry.captureContent ? JSON.stringify([{ role: message.role, content: message.content }]) : undefined,
      });
      return message;
    },
  );
}

/** Runs one MCP tool call (`call`) in a `tools/call <tool>` span and counts it and its duration by server, tool and outcome. */
export async function observeToolCall(
  telemetry: Telemetry,
  ref: { server: string; tool: string },
  args: Record<string, unknown>,
  call: () => Promise<ToolCallResult>,
): Promise<ToolCallResult> {
  const started = performance.now();
  return telemetry.span(
    `tools/call ${ref.tool}`,
    {
      kind: 'client',
      attributes: {
        [ATTR_MCP_METHOD_NAME]: 'tools/call',
        [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool',
        [ATTR_GEN_AI_TOOL_NAME]: ref.tool,
        [ATTR_MCP_SERVER]: ref.server,
        [ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: telemetry.captureContent ? JSON.stringify(args) : undefined,
      },
    },
    async (span) => {
      // The hub turns every failure into an error result; nothing is thrown here.
      const result = await call();
      telemetry.toolCall(ref.server, ref.tool, result.isError ? 'error' : 'ok', (performance.now() - started) / 1000);
      // error.type is a low-cardinality class the instrumentation picks: "tool_error" says the tool
      // answered with an error result (isError), as opposed to an exception the hub turned into one.
      if (result.isError) span.fail('tool_error');
      if (telemetry.captureContent) span.set({ [ATTR_GEN_AI_TOOL_CALL_RESULT]: JSON.stringify(result.content) });
      return result;
    },
  );
}
