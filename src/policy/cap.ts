// A tool provider that keeps each result within a size limit, so one huge answer (a whole log, a
// big JSON dump) cannot fill Claude's context or the stored conversation. Text is cut and a marker
// says how much there was, so Claude knows it saw only part; images count by their base64 size, and
// one that does not fit is left out and described instead.
import type { ToolResultBlock, ToolResultContent } from '../agent/content.js';
import type { ToolProvider } from '../mcp/types.js';
import { formatCount } from './words.js';

export function cappedResults(inner: ToolProvider, maxChars: number): ToolProvider {
  return {
    listTools: () => inner.listTools(),
    async callTool(name, args, options) {
      const result = await inner.callTool(name, args, options);
      const capped = capContent(result.content, maxChars);
      return capped === result.content ? result : { ...result, content: capped, summary: `${result.summary} (cut)` };
    },
  };
}

/** The content itself when it fits, else a cut copy that ends with the marker. */
export function capContent(content: ToolResultContent, maxChars: number): ToolResultContent {
  const total = content.reduce((sum, block) => sum + sizeOf(block), 0);
  if (total <= maxChars) return content;
  const out: ToolResultBlock[] = [];
  let remaining = maxChars;
  for (const block of content) {
    const size = sizeOf(block);
    if (size <= remaining) {
      out.push(block);
      remaining -= size;
    } else if (block.type === 'text') {
      const piece = cutText(block.text, remaining);
      if (piece.trim() !== '') out.push({ type: 'text', text: piece });
      remaining -= piece.length;
    } else {
      out.push({ type: 'text', text: describeDropped(block, size, maxChars) });
    }
  }
  out.push({ type: 'text', text: `[cut: showing ${formatCount(maxChars - remaining)} of ${formatCount(total)} characters]` });
  return out;
}

function sizeOf(block: ToolResultBlock): number {
  if (block.type === 'text') return block.text.length;
  // Only base64 images carry their bytes here; a URL or file reference is as long as its text.
  const { source } = block;
  if (source.type === 'base64') return source.data.length;
  return source.type === 'url' ? source.url.length : source.file_id.length;
}

/** At most `max` characters, never half of a surrogate pair (which would leave invalid text). */
function cutText(text: string, max: number): string {
  if (max <= 0) return '';
  const code = text.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return text.slice(0, end);
}

function describeDropped(block: ToolResultBlock, size: number, maxChars: number): string {
  const kind = block.type === 'image' && block.source.type === 'base64' ? block.source.media_type : 'image';
  return `[image left out: ${kind}, ${formatCount(size)} characters of base64, more than the ${formatCount(maxChars)} characters a tool result may hold]`;
}
