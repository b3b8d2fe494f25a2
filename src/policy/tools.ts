// Tool providers that apply the policy around the hub, one rule each, so they compose:
//
//   cappedResults(approvalGate(filteredTools(hub, toolsFor(policy, conversation)), { ... }), maxChars)
//
// (policyTools in turn.ts builds exactly that). The filter is innermost, so a tool that is not
// offered can never wait for an approval; the cap is outermost, so it sees every result.
import type { ToolDefinition, ToolProvider } from '../mcp/types.js';

export const NOT_AVAILABLE_SUMMARY = 'not available here';

/**
 * Only the tools the predicate allows: the others are not in listTools (Claude never sees them),
 * and a call to one (a name from older history, say) resolves as an error without reaching the hub.
 */
export function filteredTools(inner: ToolProvider, allowed: (tool: ToolDefinition) => boolean): ToolProvider {
  return {
    listTools: () => inner.listTools().filter(allowed),
    async callTool(name, args, options) {
      const tool = inner.listTools().find((t) => t.name === name);
      if (tool === undefined || !allowed(tool)) {
        return { content: [{ type: 'text', text: `The tool ${name} is not available here.` }], isError: true, summary: NOT_AVAILABLE_SUMMARY };
      }
      return inner.callTool(name, args, options);
    },
  };
}
