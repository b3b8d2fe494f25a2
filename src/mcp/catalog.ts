// One tool catalog across all servers, in the shape Claude's tools parameter takes, plus the exact map
// from each namespaced name back to its server and tool.
import { acceptableToolName, assignToolNames, type ToolRef } from './names.js';
import type { McpTool } from './session.js';
import type { ToolDefinition } from './types.js';

export interface ServerTools {
  server: string;
  tools: McpTool[];
  /** False once a server has been given up: its tools leave the catalog but still resolve to it. */
  available: boolean;
}

export interface Catalog {
  /** What Claude is offered, in config order then each server's own order. */
  tools: ToolDefinition[];
  /** Every known name, also of unavailable servers, so a stale call gets a precise error. */
  index: Map<string, ToolRef>;
  /** Names that clashed and were given a longer hash (worth a warning). */
  clashes: string[];
  /** Tools left out because their own name is empty or too long (acceptableToolName), with its length. */
  refused: { server: string; length: number }[];
}

export function toDefinition(name: string, server: string, tool: McpTool): ToolDefinition {
  const annotations = tool.annotations;
  const title = tool.title ?? annotations?.title;
  const hints: NonNullable<ToolDefinition['annotations']> = {};
  if (title !== undefined) hints.title = title;
  if (annotations?.readOnlyHint !== undefined) hints.readOnlyHint = annotations.readOnlyHint;
  if (annotations?.destructiveHint !== undefined) hints.destructiveHint = annotations.destructiveHint;
  if (annotations?.idempotentHint !== undefined) hints.idempotentHint = annotations.idempotentHint;
  if (annotations?.openWorldHint !== undefined) hints.openWorldHint = annotations.openWorldHint;
  return {
    name,
    // Claude chooses tools by their description; an empty one would leave it guessing.
    description: tool.description?.trim() || title || `The ${tool.name} tool of the ${server} MCP server.`,
    input_schema: { ...tool.inputSchema, type: 'object' },
    server,
    tool: tool.name,
    ...(Object.keys(hints).length > 0 ? { annotations: hints } : {}),
  };
}

export function buildCatalog(servers: ServerTools[]): Catalog {
  const refs: ToolRef[] = [];
  const byRef = new Map<string, { tool: McpTool; available: boolean }>();
  const refused: Catalog['refused'] = [];
  for (const { server, tools, available } of servers) {
    for (const tool of tools) {
      if (!acceptableToolName(tool.name)) {
        refused.push({ server, length: tool.name.length });
        continue;
      }
      const key = `${server}\u0000${tool.name}`;
      // A server listing the same name twice: the first one wins, as the server would route it.
      if (byRef.has(key)) continue;
      byRef.set(key, { tool, available });
      refs.push({ server, tool: tool.name });
    }
  }
  const { names, clashes } = assignToolNames(refs);
  const tools: ToolDefinition[] = [];
  for (const [name, ref] of names) {
    const entry = byRef.get(`${ref.server}\u0000${ref.tool}`);
    if (entry?.available) tools.push(toDefinition(name, ref.server, entry.tool));
  }
  return { tools, index: names, clashes, refused };
}
