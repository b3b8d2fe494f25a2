// Runs every tool_use of one model response at the same time and returns their tool_results in
// tool_use order, ready to go back in one user message. Nothing here throws: an unknown tool, input
// that is not an object, a provider that throws despite its contract, all become is_error results
// that tell Claude what went wrong.
import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../log.js';
import { isPlainObject } from '../plain-object.js';
import type { ToolDefinition, ToolProvider } from '../mcp/types.js';
import type { ToolFile, ToolResultBlock } from './content.js';
import { notRunOverBudgetText, spend, spent, type ResultBudget } from './result-budget.js';
import type { SafeSink } from './sink.js';
import { imageProblem } from './transcript-rules.js';

export interface ToolUse {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolRunContext {
  provider: ToolProvider;
  catalog: ToolDefinition[];
  sink: SafeSink;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => number;
  /** The turn's tool-result bytes (result-budget.ts), shared by all its rounds; absent = no limit. */
  budget?: ResultBudget;
}

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

export async function runToolUses(uses: readonly ToolUse[], ctx: ToolRunContext): Promise<Anthropic.ToolResultBlockParam[]> {
  const byName = new Map(ctx.catalog.map((tool) => [tool.name, tool]));
  return Promise.all(uses.map((use) => runOne(use, byName.get(use.name), byName, ctx)));
}

async function runOne(
  use: ToolUse,
  tool: ToolDefinition | undefined,
  byName: Map<string, ToolDefinition>,
  ctx: ToolRunContext,
): Promise<Anthropic.ToolResultBlockParam> {
  const now = ctx.now ?? Date.now;
  const started = now();
  // An unknown tool has no server; the sink gets an empty one and the name Claude asked for.
  const server = tool?.server ?? '';
  const toolName = tool?.tool ?? use.name;
  ctx.sink.emit({ type: 'tool_started', id: use.id, server, tool: toolName, input: use.input });
  const finish = (ok: boolean, summary: string, content: ToolResultBlock[], made: { files?: ToolFile[]; text?: string } = {}): Anthropic.ToolResultBlockParam => {
    const shown = { ...(made.files && made.files.length > 0 ? { files: made.files } : {}), ...(made.text ? { text: made.text } : {}) };
    ctx.sink.emit({ type: 'tool_finished', id: use.id, server, tool: toolName, ok, durationMs: now() - started, summary, ...shown });
    return ok
      ? { type: 'tool_result', tool_use_id: use.id, content }
      : { type: 'tool_result', tool_use_id: use.id, content, is_error: true };
  };
  const text = (value: string): ToolResultBlock[] => [{ type: 'text', text: value }];

  if (!tool) {
    const known = [...byName.keys()].slice(0, 50).join(', ');
    return finish(false, 'no such tool', text(`There is no tool named "${use.name}". Available tools: ${known || 'none'}.`));
  }
  if (!isPlainObject(use.input)) {
    return finish(false, 'arguments were not an object', text(`The arguments for ${use.name} must be a JSON object, not ${kindOf(use.input)}.`));
  }
  if (ctx.budget && spent(ctx.budget)) return finish(false, 'not run: the answer has its fill of tool results', text(notRunOverBudgetText(ctx.budget)));
  try {
    const result = await ctx.provider.callTool(use.name, use.input, {
      signal: ctx.signal,
      onProgress: (progress) => ctx.sink.emit({ type: 'tool_progress', id: use.id, ...progress }),
    });
    const content = sanitize(result.content, result.isError);
    if (!ctx.budget) return finish(!result.isError, result.summary, content, result);
    const kept = spend(ctx.budget, content);
    return finish(!result.isError, kept.cut ? `${result.summary} (cut: the answer's limit of tool results)` : result.summary, kept.content, result);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn('tool provider threw instead of returning an error result', { tool: use.name, error: message });
    return finish(false, 'failed', text(`The tool failed: ${message || 'no reason given'}`));
  }
}

/**
 * The provider promises content the API accepts; this keeps one bad block (blank text, an image
 * without a source) from turning the whole next call into a 400.
 */
function sanitize(content: ToolResultBlock[], isError: boolean): ToolResultBlock[] {
  const out: ToolResultBlock[] = [];
  for (const block of content) {
    if (block.type === 'text') {
      if (typeof block.text === 'string' && block.text.trim() !== '') out.push(block);
    } else if (block.type === 'image' && !imageProblem(block as unknown as Record<string, unknown>)) {
      out.push(block);
    } else {
      out.push({ type: 'text', text: `[a ${String((block as { type?: unknown }).type)} block was left out: Claude cannot read it]` });
    }
  }
  if (out.length === 0) out.push({ type: 'text', text: isError ? 'The tool failed without saying why.' : '(the tool returned no content)' });
  return out;
}
