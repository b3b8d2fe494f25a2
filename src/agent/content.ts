// The content a tool_result block may carry in the Messages API (text and image blocks here).
import type Anthropic from '@anthropic-ai/sdk';

export type ToolResultBlock = Anthropic.TextBlockParam | Anthropic.ImageBlockParam;
export type ToolResultContent = ToolResultBlock[];
