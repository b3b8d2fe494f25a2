// The content a tool_result block may carry in the Messages API (text and image blocks here).
import type Anthropic from '@anthropic-ai/sdk';

export type ToolResultBlock = Anthropic.TextBlockParam | Anthropic.ImageBlockParam;
export type ToolResultContent = ToolResultBlock[];

/**
 * A file a tool made (an image, an embedded resource with a binary type), kept as it came, for the
 * fronts to show people: Slack uploads it next to the tool's note. Claude sees it in the content.
 */
export interface ToolFile {
  name: string;
  mimeType: string;
  /** base64, as MCP carries it. */
  data: string;
}
