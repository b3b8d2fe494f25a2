// What a file attached to a question becomes for Claude, the way the Messages API takes it: an
// image block (PNG, JPEG, GIF, WebP), a document block (PDF), or text (plain text, Markdown, CSV,
// JSON, source code). Anything else, and anything over a cap, becomes one sentence that names the
// file, so neither Claude nor the person is left guessing. Shared by Slack and the terminal chat.
//
// Written by hand: the SDK has no helper that turns bytes into content blocks, and the checks are a
// few magic numbers (the API rejects an image whose bytes do not match its declared media type).
import type Anthropic from '@anthropic-ai/sdk';
import { API_IMAGE_MAX_PIXELS, imageDimensions } from './image-size.js';

export type FileBlock = Anthropic.ImageBlockParam | Anthropic.DocumentBlockParam | Anthropic.TextBlockParam;
type ImageMediaType = Anthropic.Base64ImageSource['media_type'];

/** A file's bytes and what its sender said it is. */
export interface LoadedFile {
  name: string;
  /** The media type the sender declared (Slack's `mimetype`); the bytes decide for images and PDFs. */
  mimetype?: string;
  bytes: Uint8Array;
}

export interface FileCaps {
  /** The most bytes one file may have. */
  maxFileBytes: number;
  /** The most bytes all files of one question may have together. */
  maxQuestionBytes: number;
}

const MB = 1024 * 1024;
/**
 * The API's own limits (platform.claude.com/docs/en/build-with-claude/vision and .../pdf-support):
 * a request may be 32 MB; an image at most 5 MB (the API counts it base64-encoded) and 8000x8000 px.
 * Files travel base64-encoded (4 bytes for every 3), so 24 MB of files fill a 32 MB request.
 */
export const API_REQUEST_BYTES = 32 * MB;
export const API_IMAGE_BASE64_BYTES = 5 * MB;
export const DEFAULT_FILE_CAPS: FileCaps = { maxFileBytes: 24 * MB, maxQuestionBytes: 24 * MB };

export const READABLE_KINDS = 'images (PNG, JPEG, GIF, WebP), PDFs and text files';
/** Which images over the API's limits are scaled down (fit-image.ts), as the refusal says it. */
const SCALABLE_KINDS = 'only images of up to 50 megapixels are';

/** Text-like files by extension, for senders that declare them as application/octet-stream. */
const TEXT_EXTENSIONS = new Set(
  (
    'txt text md markdown csv tsv json jsonl ndjson yaml yml toml ini cfg conf env log xml html htm css scss svg ' +
    'js mjs cjs jsx ts tsx mts cts py rb go rs java kt kts scala swift c h cc cpp hpp cs php pl lua r sh bash zsh fish ' +
    'ps1 sql graphql proto diff patch tex rst adoc dockerfile makefile gradle vue svelte'
  ).split(' '),
);
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript', 'application/x-yaml', 'application/yaml', 'application/x-sh', 'application/sql', 'application/x-ndjson']);

/** The file's extension in lower case ('' if none); a dotless name like "Makefile" counts as its own. */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(dot + 1) : base).toLowerCase();
}

/** The image type the bytes are, by their magic number; undefined for anything else. */
export function imageTypeOf(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (...values: number[]) => values.every((value, i) => bytes[i] === value);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && ascii(bytes, 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export function isPdf(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 5) === '%PDF-';
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** Whether the sender's name or media type says text. */
export function looksLikeText(name: string, mimetype?: string): boolean {
  const type = (mimetype ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith('text/') || TEXT_MEDIA_TYPES.has(type) || type.endsWith('+json') || type.endsWith('+xml') || TEXT_EXTENSIONS.has(extensionOf(name));
}

/** How a person would name the file's type in a sentence: "a .docx file". */
export function describeKind(name: string): string {
  const ext = extensionOf(name);
  return ext !== '' && ext !== name.toLowerCase() ? `a .${ext} file` : 'a file';
}

/** The file as it is written in a sentence: its name in quotes, without characters that could break out. */
export function quoteName(name: string): string {
  return `"${name.replace(/["\n\r<>]/g, '_').slice(0, 200)}"`;
}

/** How a text file's block starts (the thread's compaction recognises attached files by it). */
export const ATTACHED_FILE_TAG = '<attached_file name=';

export type Converted = { ok: true; block: FileBlock } | { ok: false; sentence: string };

/** One file as a content block, or the sentence saying why it cannot be one. Caps are checked by the caller. */
export function toBlock(file: LoadedFile): Converted {
  const image = imageTypeOf(file.bytes);
  const name = quoteName(file.name);
  if (image) {
    const data = Buffer.from(file.bytes).toString('base64');
    // Reached only by an image fit-image.ts could not scale down (a GIF, a WebP, too many pixels to decode).
    if (data.length > API_IMAGE_BASE64_BYTES) {
      return { ok: false, sentence: `The image ${name} is ${megabytes(file.bytes.length)}, over the ${megabytes((API_IMAGE_BASE64_BYTES * 3) / 4)} an image may have for Claude, and could not be scaled down (${SCALABLE_KINDS}), so it was not read.` };
    }
    const size = imageDimensions(file.bytes, image);
    if (size && (size.width > API_IMAGE_MAX_PIXELS || size.height > API_IMAGE_MAX_PIXELS)) {
      return { ok: false, sentence: `The image ${name} is ${size.width}x${size.height} pixels, over the ${API_IMAGE_MAX_PIXELS}x${API_IMAGE_MAX_PIXELS} an image may have for Claude, and could not be scaled down (${SCALABLE_KINDS}), so it was not read.` };
    }
    return { ok: true, block: { type: 'image', source: { type: 'base64', media_type: image, data } } };
  }
  if (isPdf(file.bytes)) {
    // The API takes standard PDFs only, "no passwords/encryption" (.../build-with-claude/pdf-support);
    // an encrypted one names its /Encrypt dictionary in its trailer.
    if (Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength).includes('/Encrypt')) {
      return { ok: false, sentence: `The PDF ${name} is encrypted or password-protected, which Claude cannot read, so it was not read.` };
    }
    return { ok: true, block: { type: 'document', title: file.name.slice(0, 200), source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from(file.bytes).toString('base64') } } };
  }
  if (looksLikeText(file.name, file.mimetype)) {
    const text = decodeText(file.bytes);
    if (text !== undefined) {
      const body = text.trim() === '' ? '(empty file)' : text;
      return { ok: true, block: { type: 'text', text: `${ATTACHED_FILE_TAG}${name}>\n${body}\n</attached_file>` } };
    }
  }
  return { ok: false, sentence: `${capitalize(describeKind(file.name))} (${name}) was attached and could not be read: only ${READABLE_KINDS} are.` };
}

/** UTF-8 text, or undefined for bytes that are not (binary data, another encoding). */
function decodeText(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.includes('\u0000') ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The sentence for a file over a cap, before or after it was downloaded. */
export function overCapSentence(name: string, bytes: number | undefined, cap: number, per: 'file' | 'question'): string {
  const limit = per === 'file' ? `the ${megabytes(cap)} a file may have` : `the ${megabytes(cap)} the files of one question may have together`;
  return `The file ${quoteName(name)}${bytes === undefined ? '' : ` (${megabytes(bytes)})`} is over ${limit}, so it was not read.`;
}

/** A size as people read it: "1.5 MB", "800 KB", "120 bytes". */
export function megabytes(bytes: number): string {
  const round = (value: number) => (value >= 10 ? Math.round(value) : Math.round(value * 10) / 10);
  if (bytes >= MB) return `${round(bytes / MB)} MB`;
  if (bytes >= 1024) return `${round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The user content of a question with its files: the files first (Claude reads images and
 * documents best before the question), then the question, then a line for each file left out.
 * Without any file, the question's text as it is.
 */
export function questionContent(text: string, blocks: FileBlock[], sentences: string[]): string | Anthropic.ContentBlockParam[] {
  if (blocks.length === 0 && sentences.length === 0) return text;
  const notes = sentences.length > 0 ? `\n\n[${sentences.join(' ')}]` : '';
  const question = text.trim() === '' ? '(The message has only the attached files.)' : text;
  return [...blocks, { type: 'text', text: `${question}${notes}` }];
}
