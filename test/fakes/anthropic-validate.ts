// The fake's request checks: what the real Messages API answers 400 invalid_request_error for, with
// messages worded like the API's (field path first). Written apart from src/agent/transcript-rules.ts
// on purpose, so a mistake in the bot's own rules is not copied into the judge of them.
// Like the API, consecutive messages of the same role are first combined into one turn.
import { refusesForcedToolsAndThinkingOff, SAMPLING_DEFAULTS, takesSamplingParams } from './anthropic-models.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const TOOL_RESULT_TAGS = ['text', 'image', 'search_result', 'document'];
const USER_TAGS = ['text', 'image', 'document', 'search_result', 'tool_result', 'container_upload'];
const ASSISTANT_TAGS = [
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
];
const MAX_CACHE_BREAKPOINTS = 4;
const IMAGE_MAX_BASE64_BYTES = 5 * 1024 * 1024;
const IMAGE_MAX_PIXELS = 8000;

// The top-level fields each endpoint documents: MessageCreateParamsBase and MessageCountTokensParams
// of @anthropic-ai/sdk 1.14.0 (generated from the API's OpenAPI spec for API version 2026-10-21).
// Anything else is refused like the API's schema does: "<field>: Extra inputs are not permitted".
const FIELDS: Record<Endpoint, readonly string[]> = {
  messages: [
    'model', 'messages', 'max_tokens', 'cache_control', 'container', 'diagnostics', 'inference_geo', 'metadata', 'output_config',
    'service_tier', 'speed', 'stop_sequences', 'stream', 'system', 'thinking', 'tool_choice', 'tools', 'user_profile_id', 'workspace_id',
  ],
  count_tokens: ['model', 'messages', 'cache_control', 'output_config', 'speed', 'system', 'thinking', 'tool_choice', 'tools', 'user_profile_id', 'workspace_id'],
};
/**
 * Removed in API version 2026-10-21 ("temperature, top_p and top_k return an error", at any value,
 * for every model: platform.claude.com/docs/en/api/migration-2026-10-21); still taken by
 * 2023-06-01, where models from Opus 4.7 on refuse a non-default value (see anthropic-models.ts).
 */
const SAMPLING_FIELDS = ['temperature', 'top_p', 'top_k'] as const;
export const LEGACY_API_VERSION = '2023-06-01';

export type Endpoint = 'messages' | 'count_tokens';

class Invalid extends Error {}
const fail = (message: string): never => {
  throw new Invalid(message);
};

/**
 * Returns the API's error message for an invalid request body, or undefined if it would be accepted.
 * `apiVersion` is the request's anthropic-version header: it decides which top-level fields exist.
 */
export function requestProblem(body: unknown, endpoint: Endpoint, apiVersion: string): string | undefined {
  try {
    check(body, endpoint, apiVersion);
    return undefined;
  } catch (error) {
    if (error instanceof Invalid) return error.message;
    throw error;
  }
}

function check(body: unknown, endpoint: Endpoint, apiVersion: string): void {
  if (!isObject(body)) fail('Request body must be a JSON object');
  const b = body as Json;
  checkFields(b, endpoint, apiVersion);
  if (typeof b.model !== 'string' || b.model === '') fail('model: Field required');
  checkSampling(b);
  if (endpoint === 'messages') {
    if (b.max_tokens === undefined) fail('max_tokens: Field required');
    if (!Number.isInteger(b.max_tokens) || (b.max_tokens as number) < 0) fail('max_tokens: Input should be a valid integer, 0 or more');
  }
  if (b.messages === undefined) fail('messages: Field required');
  if (!Array.isArray(b.messages)) fail('messages: Input should be a valid list');
  const messages = b.messages as unknown[];
  if (messages.length === 0) fail('messages: at least one message is required');

  let breakpoints = isObject(b.cache_control) ? 1 : 0;
  breakpoints += checkSystem(b.system);
  const toolNames = checkTools(b.tools);
  breakpoints += Array.isArray(b.tools) ? b.tools.filter((t) => isObject(t) && t.cache_control != null).length : 0;
  checkToolChoice(b.tool_choice, toolNames);
  breakpoints += checkMessages(messages);
  if (refusesForcedToolsAndThinkingOff(b.model as string)) checkNewerModelRules(b);
  if (breakpoints > MAX_CACHE_BREAKPOINTS) fail(`A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
}

function checkFields(b: Json, endpoint: Endpoint, apiVersion: string): void {
  const sampling = endpoint === 'messages' && apiVersion === LEGACY_API_VERSION ? SAMPLING_FIELDS : [];
  for (const field of Object.keys(b)) {
    if (!FIELDS[endpoint].includes(field) && !(sampling as readonly string[]).includes(field)) fail(`${field}: Extra inputs are not permitted`);
  }
}

/** Only reached under 2023-06-01 (otherwise the fields are refused above): the model's own rule. */
function checkSampling(b: Json): void {
  for (const field of SAMPLING_FIELDS) {
    const value = b[field];
    if (value === undefined) continue;
    if (typeof value !== 'number') fail(`${field}: Input should be a valid number`);
    // The wording the API uses for it (seen in Comfy-Org/ComfyUI#13923 for Claude Opus 4.7).
    if (value !== SAMPLING_DEFAULTS[field] && !takesSamplingParams(b.model as string)) fail(`\`${field}\` is deprecated for this model.`);
  }
}

/** See anthropic-models.ts: what Claude Sonnet 5.5 refuses that earlier models took. */
function checkNewerModelRules(b: Json): void {
  const model = b.model as string;
  const choice = isObject(b.tool_choice) ? b.tool_choice.type : undefined;
  if (choice === 'any' || choice === 'tool') fail(`tool_choice: forced tool use ("${String(choice)}") is not supported with ${model}`);
  const thinking = isObject(b.thinking) ? b.thinking.type : undefined;
  if (thinking === 'disabled' || thinking === 'enabled') fail(`thinking.type: "${String(thinking)}" is not supported with ${model}; use adaptive thinking and output_config.effort`);
}

function checkSystem(system: unknown): number {
  if (system === undefined || typeof system === 'string') return 0;
  if (!Array.isArray(system)) fail('system: Input should be a valid string or list');
  let breakpoints = 0;
  (system as unknown[]).forEach((block, i) => {
    if (!isObject(block) || block.type !== 'text') fail(`system.${i}.type: Input should be 'text'`);
    checkText((block as Json).text, `system.${i}.text`);
    if ((block as Json).cache_control != null) breakpoints++;
  });
  return breakpoints;
}

function checkTools(tools: unknown): Set<string> {
  const names = new Set<string>();
  if (tools === undefined) return names;
  if (!Array.isArray(tools)) fail('tools: Input should be a valid list');
  (tools as unknown[]).forEach((tool, i) => {
    if (!isObject(tool)) fail(`tools.${i}: Input should be a valid dictionary`);
    const t = tool as Json;
    if (t.type !== undefined && t.type !== null && t.type !== 'custom') return; // server tools: not checked here
    if (typeof t.name !== 'string' || !TOOL_NAME.test(t.name)) {
      fail(`tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    if (!isObject(t.input_schema)) fail(`tools.${i}.custom.input_schema: Field required`);
    if ((t.input_schema as Json).type !== 'object') fail(`tools.${i}.custom.input_schema.type: Input should be 'object'`);
    if (t.description !== undefined && typeof t.description !== 'string') fail(`tools.${i}.custom.description: Input should be a valid string`);
    if (names.has(t.name as string)) fail('tools: Tool names must be unique.');
    names.add(t.name as string);
  });
  return names;
}

function checkToolChoice(choice: unknown, toolNames: Set<string>): void {
  if (choice === undefined) return;
  if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(String(choice.type))) {
    fail("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  }
  const c = choice as Json;
  if (c.type === 'tool' && !toolNames.has(String(c.name))) fail(`tool_choice.name: no tool named ${JSON.stringify(c.name)} in tools`);
  if ((c.type === 'any' || c.type === 'tool') && toolNames.size === 0) fail('tool_choice: tools must be given when tool_choice is any or tool');
}

function checkText(text: unknown, path: string): void {
  if (typeof text !== 'string') fail(`${path}: Input should be a valid string`);
  if (text === '') fail(`${path}: text content blocks must be non-empty`);
  if ((text as string).trim() === '') fail(`${path}: text content blocks must contain non-whitespace text`);
}

function checkImage(block: Json, path: string): void {
  const source = block.source;
  if (!isObject(source)) fail(`${path}.source: Field required`);
  const s = source as Json;
  if (s.type === 'base64') {
    if (!IMAGE_MEDIA_TYPES.includes(String(s.media_type))) {
      fail(`${path}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
    }
    if (typeof s.data !== 'string' || s.data === '') fail(`${path}.source.base64.data: Field required`);
    checkImageSize(s.data as string, path);
  } else if (s.type === 'url') {
    if (typeof s.url !== 'string' || s.url === '') fail(`${path}.source.url.url: Field required`);
  } else if (s.type === 'file') {
    if (typeof s.file_id !== 'string' || s.file_id === '') fail(`${path}.source.file.file_id: Field required`);
  } else {
    fail(`${path}.source: Input tag ${JSON.stringify(s.type)} found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`);
  }
}

/**
 * The API's limits on one image, worded as its 400s are: at most 5 MB of base64 data ("image exceeds
 * 5 MB maximum: 6500712 bytes > 5242880 bytes", github.com/gptme/gptme/issues/185) and 8000 px a side
 * ("At least one of the image dimensions exceed max allowed size: 8000 pixels",
 * github.com/anthropics/claude-code/issues/5147; platform.claude.com/docs/en/build-with-claude/vision).
 */
function checkImageSize(data: string, path: string): void {
  if (data.length > IMAGE_MAX_BASE64_BYTES) fail(`${path}.image.source.base64: image exceeds 5 MB maximum: ${data.length} bytes > ${IMAGE_MAX_BASE64_BYTES} bytes`);
  const size = pixelSize(Buffer.from(data, 'base64'));
  if (size && (size.width > IMAGE_MAX_PIXELS || size.height > IMAGE_MAX_PIXELS)) {
    fail(`${path}.image.source.base64.data: At least one of the image dimensions exceed max allowed size: ${IMAGE_MAX_PIXELS} pixels`);
  }
}

/** A PNG's or JPEG's width and height from its header (the two types the tests make large); undefined otherwise. */
function pixelSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let at = 2; at + 9 <= bytes.length && bytes[at] === 0xff; at += 2 + bytes.readUInt16BE(at + 2)) {
    const marker = bytes[at + 1] ?? 0;
    // Start of frame: SOF0-SOF15 but DHT (c4), JPG (c8) and DAC (cc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
  }
  return undefined;
}

/** Checks one block; returns the number of cache_control breakpoints in it. */
function checkBlock(block: unknown, path: string, allowed: string[]): number {
  if (!isObject(block)) fail(`${path}: Input should be a valid dictionary`);
  const b = block as Json;
  if (typeof b.type !== 'string' || !allowed.includes(b.type)) {
    fail(`${path}: Input tag ${JSON.stringify(b.type)} found using 'type' does not match any of the expected tags: ${allowed.map((t) => `'${t}'`).join(', ')}`);
  }
  let breakpoints = b.cache_control != null ? 1 : 0;
  switch (b.type) {
    case 'text':
      checkText(b.text, `${path}.text`);
      break;
    case 'image':
      checkImage(b, path);
      break;
    case 'document':
      if (!isObject(b.source)) fail(`${path}.source: Field required`);
      break;
    case 'search_result':
      if (!Array.isArray(b.content)) fail(`${path}.content: Field required`);
      (b.content as unknown[]).forEach((inner, k) => checkBlock(inner, `${path}.content.${k}`, ['text']));
      break;
    case 'tool_use':
      if (typeof b.id !== 'string' || b.id === '') fail(`${path}.id: Field required`);
      if (typeof b.name !== 'string' || b.name === '') fail(`${path}.name: Field required`);
      if (!isObject(b.input)) fail(`${path}.input: Input should be a valid dictionary`);
      break;
    case 'tool_result':
      if (typeof b.tool_use_id !== 'string' || b.tool_use_id === '') fail(`${path}.tool_use_id: Field required`);
      if (b.is_error !== undefined && typeof b.is_error !== 'boolean') fail(`${path}.is_error: Input should be a valid boolean`);
      if (b.content !== undefined && typeof b.content !== 'string') {
        if (!Array.isArray(b.content)) fail(`${path}.content: Input should be a valid string or list`);
        (b.content as unknown[]).forEach((inner, k) => {
          breakpoints += checkBlock(inner, `${path}.content.${k}`, TOOL_RESULT_TAGS);
        });
      }
      break;
  }
  return breakpoints;
}

interface TurnBlock {
  block: Json;
  path: string;
}
interface Turn {
  role: 'user' | 'assistant';
  index: number;
  blocks: TurnBlock[];
}

function checkMessages(messages: unknown[]): number {
  let breakpoints = 0;
  const turns: Turn[] = [];
  messages.forEach((message, i) => {
    if (!isObject(message)) fail(`messages.${i}: Input should be a valid dictionary`);
    const m = message as Json;
    if (m.role !== 'user' && m.role !== 'assistant') fail(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    const role = m.role as 'user' | 'assistant';
    const isFinalAssistant = i === messages.length - 1 && role === 'assistant';
    let blocks: TurnBlock[];
    if (typeof m.content === 'string') {
      if (m.content === '' && !isFinalAssistant) {
        fail(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
      }
      if (m.content !== '') checkText(m.content, `messages.${i}.content`);
      blocks = m.content === '' ? [] : [{ block: { type: 'text', text: m.content }, path: `messages.${i}.content` }];
    } else if (Array.isArray(m.content)) {
      if (m.content.length === 0 && !isFinalAssistant) {
        fail(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
      }
      blocks = m.content.map((block, j) => {
        breakpoints += checkBlock(block, `messages.${i}.content.${j}`, role === 'user' ? USER_TAGS : ASSISTANT_TAGS);
        return { block: block as Json, path: `messages.${i}.content.${j}` };
      });
    } else {
      return fail(`messages.${i}.content: Input should be a valid string or list`);
    }
    const last = turns.at(-1);
    if (last && last.role === role) last.blocks.push(...blocks);
    else turns.push({ role, index: i, blocks });
  });

  if (turns[0]?.role !== 'user') fail('messages: first message must use the "user" role');
  checkPairing(turns);
  checkFinalAssistant(turns.at(-1));
  return breakpoints;
}

function checkPairing(turns: Turn[]): void {
  const seenToolUse = new Set<string>();
  turns.forEach((turn, t) => {
    if (turn.role === 'assistant') {
      for (const { block, path } of turn.blocks) {
        if (block.type !== 'tool_use') continue;
        if (seenToolUse.has(String(block.id))) fail(`${path}: \`tool_use\` ids must be unique`);
        seenToolUse.add(String(block.id));
      }
      return;
    }
    const previous = t > 0 ? turns[t - 1] : undefined;
    const expected = new Set(previous ? previous.blocks.filter(({ block }) => block.type === 'tool_use').map(({ block }) => String(block.id)) : []);
    let seenOther = false;
    const answered = new Set<string>();
    for (const { block, path } of turn.blocks) {
      if (block.type !== 'tool_result') {
        seenOther = true;
        continue;
      }
      const id = String(block.tool_use_id);
      if (seenOther) fail(`${path}: \`tool_result\` blocks must come first in a user message, before any other content`);
      if (!expected.has(id)) {
        fail(
          `${path}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
        );
      }
      if (answered.has(id)) fail(`${path}: each \`tool_use\` must have a single \`tool_result\`; ${id} has more`);
      answered.add(id);
    }
  });
  // Every tool_use needs its tool_result at the start of the next turn (also when there is none).
  turns.forEach((turn, t) => {
    if (turn.role !== 'assistant') return;
    const ids = turn.blocks.filter(({ block }) => block.type === 'tool_use').map(({ block }) => String(block.id));
    if (ids.length === 0) return;
    const next = turns[t + 1];
    const leading = new Set<string>();
    for (const { block } of next?.blocks ?? []) {
      if (block.type !== 'tool_result') break;
      leading.add(String(block.tool_use_id));
    }
    const missing = ids.filter((id) => !leading.has(id));
    if (missing.length > 0) {
      fail(
        `messages.${turn.index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    }
  });
}

function checkFinalAssistant(last: Turn | undefined): void {
  if (last?.role !== 'assistant') return;
  const final = last.blocks.at(-1)?.block;
  if (final?.type === 'text' && typeof final.text === 'string' && final.text !== final.text.trimEnd()) {
    fail('messages: final assistant content cannot end with trailing whitespace');
  }
}
