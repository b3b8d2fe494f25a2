// What a tool's MCP annotations say, with the spec's defaults for hints a server leaves out
// (ToolAnnotations, MCP 2025-03-26 and later): readOnlyHint defaults to false, and destructiveHint
// to true, meaningful only when the tool is not read-only. So a tool without annotations counts as
// destructive: the defaults exist so that a client errs on the safe side, and a server that says
// nothing about a tool has not told us it is harmless. Admins can exempt such tools per server
// (servers.<name>.skipApproval in the policy file).
import type { ToolDefinition } from '../mcp/types.js';

export function isReadOnly(tool: ToolDefinition): boolean {
  return tool.annotations?.readOnlyHint ?? false;
}

export function isDestructive(tool: ToolDefinition): boolean {
  return !isReadOnly(tool) && (tool.annotations?.destructiveHint ?? true);
}
