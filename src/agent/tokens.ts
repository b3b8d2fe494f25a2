// A close local token estimate, so trimming history to a budget needs no API call per turn.
// Roughly 4 characters a token for text and JSON (tool inputs, tool results); an image costs about
// what the API charges for a ~1.2 megapixel picture. It errs a little high, which is the safe side
// for a budget.
import type Anthropic from '@anthropic-ai/sdk';
import type { Message, Transcript } from './types.js';

export const IMAGE_TOKENS = 1600;
const MESSAGE_OVERHEAD = 4;
const BLOCK_OVERHEAD = 3;
const TOOL_OVERHEAD = 10;

export type TokenEstimate = (message: Message) => number;

const ofText = (text: string) => Math.ceil(text.length / 4);
const ofJson = (value: unknown) => ofText(JSON.stringify(value) ?? '');

export function estimateBlockTokens(block: Anthropic.ContentBlockParam): number {
  switch (block.type) {
    case 'text':
      return BLOCK_OVERHEAD + ofText(block.text);
    case 'image':
      return IMAGE_TOKENS;
    case 'document':
      return BLOCK_OVERHEAD + estimateDocument(block);
    case 'tool_use':
      return TOOL_OVERHEAD + ofText(block.name) + ofJson(block.input);
    case 'tool_result': {
      const content = block.content;
      if (content === undefined) return TOOL_OVERHEAD;
      if (typeof content === 'string') return TOOL_OVERHEAD + ofText(content);
      let sum = TOOL_OVERHEAD;
      for (const inner of content) sum += estimateBlockTokens(inner as Anthropic.ContentBlockParam);
      return sum;
    }
    case 'thinking':
      return BLOCK_OVERHEAD + ofText(block.thinking);
    default:
      return BLOCK_OVERHEAD + ofJson(block);
  }
}

/** PDFs are billed per page (text plus a page image); a base64 PDF's size is the only local clue. */
function estimateDocument(block: Anthropic.DocumentBlockParam): number {
  const source = block.source;
  if (source.type === 'text') return ofText(source.data);
  if (source.type === 'base64') return Math.max(IMAGE_TOKENS, Math.ceil((source.data.length * 3) / 4 / 30));
  return ofJson(source) + IMAGE_TOKENS;
}

export function estimateMessageTokens(message: Message): number {
  if (typeof message.content === 'string') return MESSAGE_OVERHEAD + ofText(message.content);
  let sum = MESSAGE_OVERHEAD;
  for (const block of message.content) sum += estimateBlockTokens(block);
  return sum;
}

export function estimateTranscriptTokens(transcript: Transcript, estimate: TokenEstimate = estimateMessageTokens): number {
  let sum = 0;
  for (const message of transcript) sum += estimate(message);
  return sum;
}
