// MCP tool results -> what a Messages API tool_result block accepts (text and image blocks only).
// Claude cannot take audio, resources, links or other image types as they are, so those become text
// that says what they were (with URIs, so the model can mention or fetch them), never silently dropped.
// The API also rejects empty or whitespace-only text blocks, so none are ever produced.
import type { CallToolResult, ContentBlock } from '@modelcontextprotocol/sdk/types.js';
import type { ToolFile, ToolResultBlock, ToolResultContent } from '../agent/content.js';
import type { ToolCallResult } from './types.js';

/** What client.callTool resolves with: a normal result, or the pre-2024-11 `toolResult` form. */
export type RawToolResult = CallToolResult | { toolResult: unknown };

export const IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
/** The Messages API's per-image limit (on the base64 payload, to be safe). */
const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;
const SUMMARY_LENGTH = 80;
export const NO_CONTENT_TEXT = '(the tool returned no content)';

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Decoded size of a base64 payload without decoding it. */
export function base64Bytes(data: string): number {
  const clean = data.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/** "image/png" -> "png", for short human descriptions. */
function subtype(mimeType: string | undefined): string {
  if (!mimeType) return 'unknown type';
  return mimeType.split('/')[1]?.split(';')[0] || mimeType;
}

export function oneLine(text: string, max = SUMMARY_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function text(value: string): ToolResultBlock {
  return { type: 'text', text: value };
}

/** An image Claude can take as an image block; otherwise a line that says what it was. */
export function imageBlock(data: string, mimeType: string): ToolResultBlock {
  const size = formatBytes(base64Bytes(data));
  if (!IMAGE_TYPES.has(mimeType)) return text(`[image: ${mimeType}, ${size}; this image type cannot be shown to the model]`);
  if (data.length > MAX_IMAGE_BASE64) return text(`[image: ${mimeType}, ${size}; too large to show to the model]`);
  return { type: 'image', source: { type: 'base64', media_type: mimeType as ImageMediaType, data } };
}

/** One MCP content item -> zero or one Messages API block. */
export function convertBlock(block: ContentBlock): ToolResultBlock | undefined {
  switch (block.type) {
    case 'text':
      return block.text.trim() === '' ? undefined : text(block.text);
    case 'image':
      return imageBlock(block.data, block.mimeType);
    case 'audio':
      return text(`[audio: ${block.mimeType}, ${formatBytes(base64Bytes(block.data))}; audio cannot be shown to the model]`);
    case 'resource': {
      const { resource } = block;
      const mime = resource.mimeType ? ` (${resource.mimeType})` : '';
      if ('text' in resource) return text(`Resource ${resource.uri}${mime}:\n${resource.text}`);
      return text(`[resource ${resource.uri}: ${resource.mimeType ?? 'unknown type'}, ${formatBytes(base64Bytes(resource.blob))}; binary content not shown]`);
    }
    case 'resource_link': {
      const parts = [`Resource link: ${block.title ?? block.name} <${block.uri}>`];
      if (block.mimeType) parts.push(`(${block.mimeType})`);
      let line = parts.join(' ');
      if (block.description) line += ` - ${block.description}`;
      return text(line);
    }
    default:
      // A content type newer than this code: say so rather than drop it.
      return text(`[unsupported content: ${(block as { type: string }).type}]`);
  }
}

function describe(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return oneLine(block.text);
    case 'image':
      return `image (${subtype(block.mimeType)}, ${formatBytes(base64Bytes(block.data))})`;
    case 'audio':
      return `audio (${subtype(block.mimeType)}, ${formatBytes(base64Bytes(block.data))})`;
    case 'resource':
      return oneLine(`resource ${block.resource.uri}`);
    case 'resource_link':
      return oneLine(`link ${block.name} ${block.uri}`);
    default:
      return (block as { type: string }).type;
  }
}

function summarize(items: ContentBlock[], content: ToolResultContent, isError: boolean): string {
  const firstText = items.find((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text' && b.text.trim() !== '');
  let summary: string;
  if (items.length === 1 && items[0]) summary = describe(items[0]);
  else if (items.length > 1) summary = `${items.length} items${firstText ? `: ${oneLine(firstText.text)}` : ''}`;
  else {
    const first = content[0];
    summary = first?.type === 'text' ? oneLine(first.text) : 'no content';
  }
  return oneLine(isError ? `error: ${summary}` : summary, SUMMARY_LENGTH + 8);
}

export function convertToolResult(raw: RawToolResult): ToolCallResult {
  if ('toolResult' in raw && !('content' in raw)) {
    const body = JSON.stringify(raw.toolResult, null, 2) ?? '';
    const content = body.trim() === '' ? [text(NO_CONTENT_TEXT)] : [text(body)];
    return { content, isError: false, summary: oneLine(body) || 'no content', ...(body.trim() !== '' ? { text: body } : {}) };
  }
  const result = raw;
  const items = result.content ?? [];
  const content: ToolResultContent = [];
  for (const item of items) {
    const block = convertBlock(item);
    if (block) content.push(block);
  }
  const hasText = items.some((b) => b.type === 'text' && b.text.trim() !== '');
  if (!hasText && result.structuredContent !== undefined) {
    content.push(text(JSON.stringify(result.structuredContent, null, 2)));
  }
  if (content.length === 0) content.push(text(NO_CONTENT_TEXT));
  const isError = result.isError === true;
  const files = toolFiles(items);
  const whole = content.flatMap((block) => (block.type === 'text' && block.text !== NO_CONTENT_TEXT ? [block.text] : [])).join('\n');
  return { content, isError, summary: summarize(items, content, isError), ...(files.length > 0 ? { files } : {}), ...(whole !== '' ? { text: whole } : {}) };
}

/**
 * The images and binary embedded resources of a result, as they came, for people to see as files
 * (Slack uploads them). Named after the resource's URI, or image-<n>.<subtype>.
 */
export function toolFiles(items: ContentBlock[]): ToolFile[] {
  const files: ToolFile[] = [];
  for (const item of items) {
    if (item.type === 'image' && item.data.length > 0) {
      files.push({ name: `image-${files.length + 1}.${subtype(item.mimeType).split('+')[0]}`, mimeType: item.mimeType, data: item.data });
    } else if (item.type === 'resource' && 'blob' in item.resource && item.resource.blob.length > 0) {
      const mimeType = item.resource.mimeType ?? 'application/octet-stream';
      files.push({ name: fileName(item.resource.uri) ?? `file-${files.length + 1}`, mimeType, data: item.resource.blob });
    }
  }
  return files;
}

/** The last segment of a URI's path ("report.pdf" of file:///tmp/report.pdf), if it has one. */
function fileName(uri: string): string | undefined {
  const last = uri.split(/[?#]/)[0]?.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last).replace(/[^\w.\- ]/g, '_') || undefined;
  } catch {
    return undefined;
  }
}

/** A failed call as a tool result: Claude reads the reason and can try something else. */
export function errorResult(message: string): ToolCallResult {
  const body = message.trim() === '' ? 'the tool call failed' : message;
  return { content: [text(body)], isError: true, summary: oneLine(`error: ${body}`, SUMMARY_LENGTH + 8) };
}
