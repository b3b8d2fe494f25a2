// Turning a model response into the assistant message we send back and store. The response's blocks
// carry output-only fields (citations: null, caller) and may hold things the API refuses as input
// (an empty text block, a tool_use whose input is not an object), so we rebuild them as params.
import type Anthropic from '@anthropic-ai/sdk';
import { isPlainObject } from '../plain-object.js';

type Block = Anthropic.ContentBlockParam;


export function toAssistantContent(content: readonly Anthropic.ContentBlock[]): Block[] {
  const out: Block[] = [];
  for (const block of content) {
    switch (block.type) {
      case 'text':
        if (block.text.trim() !== '') out.push({ type: 'text', text: block.text });
        break;
      case 'tool_use':
        // A non-object input cannot be sent back; the loop answers such a call with an error
        // (see tool-runner.ts), which reads the original input from the response, not from here.
        out.push({ type: 'tool_use', id: block.id, name: block.name, input: isPlainObject(block.input) ? block.input : {} });
        break;
      case 'thinking':
        out.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
        break;
      case 'redacted_thinking':
        out.push({ type: 'redacted_thinking', data: block.data });
        break;
      default:
        // Server tool blocks: the API takes its own output back as is.
        out.push(block);
    }
  }
  return out;
}

export function textOf(blocks: readonly Block[]): string {
  return blocks
    .filter((block): block is Anthropic.TextBlockParam => block.type === 'text')
    .map((block) => block.text)
    .join('');
}

export function withoutToolUses(blocks: readonly Block[]): Block[] {
  return blocks.filter((block) => block.type !== 'tool_use');
}

/**
 * The API refuses a final assistant message whose text ends in whitespace; a paused turn is sent
 * back as exactly that, so its last text block is trimmed (and dropped if nothing is left).
 */
export function trimTrailingWhitespace(blocks: readonly Block[]): Block[] {
  const last = blocks.at(-1);
  if (last?.type !== 'text') return [...blocks];
  const text = last.text.trimEnd();
  return text === '' ? blocks.slice(0, -1) : [...blocks.slice(0, -1), { ...last, text }];
}
