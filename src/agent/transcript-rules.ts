// The rules a stored transcript keeps, so that the Messages API accepts it as `messages` once a new
// user message is appended. They mirror what the API answers 400 for (tool_use/tool_result pairing,
// block types, empty text) and add one rule of our own: roles strictly alternate, starting with
// "user" (the API would merge two user messages; we merge them ourselves, see appendUserMessage).
//
// The input may come from a store written by an older version or by hand, so every check reads the
// data as plain JSON rather than trusting the static type.

import { isPlainObject } from '../plain-object.js';

export interface TranscriptProblem {
  /** Index of the message the problem is in (for a missing tool_result: the assistant message). */
  index: number;
  message: string;
}

export interface ValidationResult {
  ok: boolean;
  problems: TranscriptProblem[];
}

type Json = Record<string, unknown>;

const isObject: (value: unknown) => value is Json = isPlainObject;
const isBlank = (text: unknown) => typeof text !== 'string' || text.trim() === '';

const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const TOOL_RESULT_CONTENT_TYPES = new Set(['text', 'image', 'document', 'search_result']);
const USER_BLOCK_TYPES = new Set(['text', 'image', 'document', 'search_result', 'tool_result', 'container_upload']);
const ASSISTANT_BLOCK_TYPES = new Set([
  'text',
  'tool_use',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
]);

/** The problem with one image block, if any (shared by message content and tool_result content). */
export function imageProblem(block: Json): string | undefined {
  const source = block.source;
  if (!isObject(source)) return 'image blocks need a `source` (MCP images must be converted to {type:"base64", media_type, data})';
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || !IMAGE_MEDIA_TYPES.has(source.media_type)) {
      return `image media_type must be image/jpeg, image/png, image/gif or image/webp, not ${JSON.stringify(source.media_type)}`;
    }
    if (isBlank(source.data)) return 'image data must not be empty';
    return undefined;
  }
  if (source.type === 'url') return isBlank(source.url) ? 'image url must not be empty' : undefined;
  if (source.type === 'file') return isBlank(source.file_id) ? 'image file_id must not be empty' : undefined;
  return `image source type ${JSON.stringify(source.type)} is not base64, url or file`;
}

function blockProblem(block: unknown): string | undefined {
  if (!isObject(block) || typeof block.type !== 'string') return 'a content block must be an object with a type';
  switch (block.type) {
    case 'text':
      return isBlank(block.text) ? 'text blocks must contain non-whitespace text' : undefined;
    case 'image':
      return imageProblem(block);
    case 'document':
      return isObject(block.source) ? undefined : 'document blocks need a source';
    case 'search_result':
      return Array.isArray(block.content) && block.content.every((b) => isObject(b) && b.type === 'text' && !isBlank(b.text))
        ? undefined
        : 'search_result content must be non-empty text blocks';
    case 'tool_use':
      if (isBlank(block.id) || isBlank(block.name)) return 'tool_use blocks need an id and a name';
      return isObject(block.input) ? undefined : 'tool_use input must be a JSON object';
    case 'tool_result':
      return toolResultProblem(block);
    default:
      return undefined;
  }
}

function toolResultProblem(block: Json): string | undefined {
  if (isBlank(block.tool_use_id)) return 'tool_result blocks need a tool_use_id';
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') return 'tool_result is_error must be a boolean';
  const content = block.content;
  if (content === undefined || typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return 'tool_result content must be a string or an array of blocks';
  for (const inner of content) {
    const type = isObject(inner) ? inner.type : undefined;
    if (typeof type !== 'string' || !TOOL_RESULT_CONTENT_TYPES.has(type)) {
      return `tool_result content cannot hold a ${JSON.stringify(type)} block (only text, image, document, search_result)`;
    }
    const problem = blockProblem(inner);
    if (problem) return `tool_result content: ${problem}`;
  }
  return undefined;
}

function blocksOfJson(message: Json): unknown[] {
  const content = message.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** tool_use ids of an assistant message, in order. */
function toolUseIds(blocks: unknown[]): string[] {
  return blocks.filter((b): b is Json => isObject(b) && b.type === 'tool_use').map((b) => String(b.id));
}

/** Checks a transcript against the rules above. An empty transcript is valid (no history yet). */
export function validate(transcript: readonly unknown[]): ValidationResult {
  const problems: TranscriptProblem[] = [];
  const add = (index: number, message: string) => problems.push({ index, message });
  const seenToolUseIds = new Set<string>();

  transcript.forEach((raw, index) => {
    if (!isObject(raw)) return add(index, 'a message must be an object');
    const role = raw.role;
    if (role !== 'user' && role !== 'assistant') return add(index, `role must be "user" or "assistant", not ${JSON.stringify(role)}`);
    if (index === 0 && role !== 'user') add(index, 'the first message must be a user message');
    const previous = index > 0 ? transcript[index - 1] : undefined;
    if (isObject(previous) && previous.role === role) add(index, `two ${role} messages in a row; merge them into one`);
    if (typeof raw.content !== 'string' && !Array.isArray(raw.content)) return add(index, 'content must be a string or an array');

    const blocks = blocksOfJson(raw);
    if (blocks.length === 0) add(index, 'content must not be empty');
    const allowed = role === 'user' ? USER_BLOCK_TYPES : ASSISTANT_BLOCK_TYPES;
    blocks.forEach((block, b) => {
      const type = isObject(block) ? block.type : undefined;
      if (typeof type === 'string' && !allowed.has(type)) add(index, `content.${b}: a ${role} message cannot hold a ${type} block`);
      const problem = blockProblem(block);
      if (problem) add(index, `content.${b}: ${problem}`);
    });

    if (role === 'assistant') {
      for (const id of toolUseIds(blocks)) {
        if (seenToolUseIds.has(id)) add(index, `tool_use id ${id} is used twice`);
        seenToolUseIds.add(id);
      }
      return;
    }

    // A user message: tool_results first, each answering a tool_use of the assistant message before it.
    const expected = isObject(previous) && previous.role === 'assistant' ? toolUseIds(blocksOfJson(previous)) : [];
    const answered = new Set<string>();
    let seenOther = false;
    blocks.forEach((block, b) => {
      if (!isObject(block)) return;
      if (block.type !== 'tool_result') {
        seenOther = true;
        return;
      }
      const id = String(block.tool_use_id);
      if (seenOther) add(index, `content.${b}: tool_result blocks must come before any other content`);
      if (!expected.includes(id)) add(index, `content.${b}: tool_result ${id} answers no tool_use of the previous assistant message`);
      if (answered.has(id)) add(index, `content.${b}: tool_result ${id} is given twice`);
      answered.add(id);
    });
  });

  // Every tool_use needs its tool_result at the start of the very next message.
  transcript.forEach((raw, index) => {
    if (!isObject(raw) || raw.role !== 'assistant') return;
    const ids = toolUseIds(blocksOfJson(raw));
    if (ids.length === 0) return;
    const next = transcript[index + 1];
    const leading = new Set<string>();
    if (isObject(next) && next.role === 'user') {
      for (const block of blocksOfJson(next)) {
        if (!isObject(block) || block.type !== 'tool_result') break;
        leading.add(String(block.tool_use_id));
      }
    }
    const missing = ids.filter((id) => !leading.has(id));
    if (missing.length > 0) add(index, `tool_use ${missing.join(', ')} has no tool_result at the start of the next message`);
  });

  problems.sort((a, b) => a.index - b.index);
  return { ok: problems.length === 0, problems };
}
