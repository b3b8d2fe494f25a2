// Prompts and resources -> what the rest of the bot can put in front of Claude: text and image blocks,
// as tool results are converted (convert.ts), plus a plain-text form for people and simple fronts.
import type { GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolResultBlock, ToolResultContent } from '../agent/content.js';
import { base64Bytes, convertBlock, formatBytes, IMAGE_TYPES, imageBlock, oneLine, text } from './convert.js';
import type { PromptResult, ResourceContent } from './types.js';

export function convertPrompt(result: GetPromptResult): PromptResult {
  return {
    ...(result.description === undefined ? {} : { description: result.description }),
    messages: result.messages.map((message) => {
      const block = convertBlock(message.content);
      const content = block ? [block] : [];
      return { role: message.role, content, text: content.map(asText).join('\n') };
    }),
  };
}

type ResourceItem = ReadResourceResult['contents'][number];

export function convertResource(server: string, uri: string, result: ReadResourceResult): ResourceContent {
  const content: ToolResultContent = result.contents.map(convertItem);
  if (content.length === 0) content.push(text(`(the resource ${uri} is empty)`));
  const first = content[0];
  const summary =
    content.length > 1 ? `${content.length} parts of ${uri}` : first?.type === 'image' ? `image ${uri}` : oneLine(first?.type === 'text' ? first.text : uri);
  return { server, uri, content, summary };
}

// Binary content that is really text: worth showing as text rather than as "binary not shown".
const TEXT_TYPES = /^(text\/|application\/(json|xml|yaml|x-yaml|javascript|toml|csv)\b|[^;]*\+(json|xml)\b)/i;

function convertItem(item: ResourceItem): ToolResultBlock {
  const mime = item.mimeType ? ` (${item.mimeType})` : '';
  if ('text' in item) return text(`Resource ${item.uri}${mime}:\n${item.text}`);
  if (item.mimeType && IMAGE_TYPES.has(item.mimeType)) return imageBlock(item.blob, item.mimeType);
  if (item.mimeType && TEXT_TYPES.test(item.mimeType)) {
    const decoded = Buffer.from(item.blob, 'base64').toString('utf8');
    // A replacement character means it was not UTF-8 after all.
    if (!decoded.includes('\uFFFD')) return text(`Resource ${item.uri}${mime}:\n${decoded}`);
  }
  return text(`[resource ${item.uri}: ${item.mimeType ?? 'unknown type'}, ${formatBytes(base64Bytes(item.blob))}; binary content not shown]`);
}

function asText(block: ToolResultBlock): string {
  return block.type === 'text' ? block.text : `[image: ${block.source.type === 'base64' ? block.source.media_type : 'image'}]`;
}
