// Keeps a thread's stored transcript under a size cap. Past the cap, the tool results of answered
// turns are replaced, oldest first, by a short note naming the tool and the size of what was there,
// until the transcript is back under a low-water mark (so this happens now and then, not at every
// turn, and the prompt cache's prefix stays put in between). If that is not enough (a thread of long
// questions and answers), the oldest whole turns go. The latest turn is never touched: Claude may
// still refer to it, and its tool results are bounded by the per-turn budget (tool-runner.ts).
// Sizes are UTF-8 bytes of the messages' JSON, which is what the store writes (plus a small envelope).
import type Anthropic from '@anthropic-ai/sdk';
import { ATTACHED_FILE_TAG } from '../files/content.js';
import { blocksOf, turnStarts } from './transcript.js';
import type { Message, Transcript } from './types.js';

/** A thread is compacted down to this share of its cap. */
const LOW_WATER = 0.75;
/** Marks a note left by compaction; its presence in a thread's history means the person was told. */
export const COMPACTED_MARK = '[compacted:';
const DROPPED_NOTE = `${COMPACTED_MARK} earlier turns of this thread were removed from its stored history to keep it within its size limit.]`;

export interface Compaction {
  messages: Transcript;
  /** Tool results replaced by a note, and whole turns dropped; both 0 when nothing changed. */
  results: number;
  turns: number;
  /** Bytes of the transcript before and after. */
  before: number;
  after: number;
}

export const bytesOf = (message: Message): number => Buffer.byteLength(JSON.stringify(message), 'utf8');

/** The transcript within `maxBytes` (see the file's comment), and what was done to it. */
export function compactToSize(transcript: Transcript, maxBytes: number): Compaction {
  const sizes = transcript.map(bytesOf);
  const before = sizes.reduce((a, b) => a + b, 0);
  const unchanged = { messages: transcript, results: 0, turns: 0, before, after: before };
  if (before <= maxBytes) return unchanged;
  const target = Math.floor(maxBytes * LOW_WATER);
  const starts = turnStarts(transcript);
  const latest = starts.at(-1) ?? 0;
  let total = before;
  let results = 0;
  const messages = [...transcript];
  for (let index = 0; index < latest && total > target; index++) {
    const message = messages[index];
    if (message?.role !== 'user' || typeof message.content === 'string') continue;
    const names = toolNames(messages[index - 1]);
    let changed = false;
    const content = message.content.map((block): Anthropic.ContentBlockParam => {
      if (total > target && isAttachedFile(block)) {
        // A file a person attached (src/files/content.ts) goes like a tool result: a note in its place.
        const size = Buffer.byteLength(JSON.stringify(block), 'utf8');
        const note: Anthropic.TextBlockParam = { type: 'text', text: attachedFileNote(block, size) };
        total -= size - Buffer.byteLength(JSON.stringify(note), 'utf8');
        results++;
        changed = true;
        return note;
      }
      if (block.type !== 'tool_result' || total <= target || isCompacted(block)) return block;
      const size = Buffer.byteLength(JSON.stringify(block.content ?? ''), 'utf8');
      const note: Anthropic.ToolResultBlockParam = { ...block, content: [{ type: 'text', text: compactedNote(names.get(block.tool_use_id), size) }] };
      const saved = size - Buffer.byteLength(JSON.stringify(note.content), 'utf8');
      if (saved <= 0) return block;
      total -= saved;
      results++;
      changed = true;
      return note;
    });
    if (changed) {
      messages[index] = { ...message, content };
      sizes[index] = bytesOf(messages[index] as Message);
    }
  }
  let turns = 0;
  let from = 0;
  for (const [turn, start] of starts.entries()) {
    if (total <= target || start === latest) break;
    if (start <= from) continue;
    for (let i = from; i < start; i++) total -= sizes[i] ?? 0;
    from = start;
    turns = turn;
  }
  if (from === 0) return results === 0 ? unchanged : { ...unchanged, messages, results, after: total };
  const [first, ...rest] = messages.slice(from);
  if (!first) return { ...unchanged, messages, results, after: total };
  const noted: Message = { role: 'user', content: [{ type: 'text', text: DROPPED_NOTE }, ...blocksOf(first).filter((b) => !(b.type === 'text' && b.text === DROPPED_NOTE))] };
  const kept = [noted, ...rest];
  return { messages: kept, results, turns, before, after: kept.reduce((sum, m) => sum + bytesOf(m), 0) };
}

/** Whether compaction has left a note in this transcript before (then the person has been told). */
export function wasCompacted(transcript: Transcript): boolean {
  return transcript.some(
    (message) =>
      typeof message.content !== 'string' &&
      message.content.some((block) => (block.type === 'text' && block.text.startsWith(COMPACTED_MARK)) || (block.type === 'tool_result' && isCompacted(block))),
  );
}

function isCompacted(block: Anthropic.ToolResultBlockParam): boolean {
  const first = Array.isArray(block.content) ? block.content[0] : undefined;
  return block.content?.length === 1 && first?.type === 'text' && first.text.startsWith(COMPACTED_MARK);
}

function compactedNote(tool: string | undefined, bytes: number): string {
  const what = tool ? `the result of ${tool}` : 'a tool result';
  return `${COMPACTED_MARK} ${what} (${bytes.toLocaleString('en-US')} bytes) was removed from this thread's stored history to keep it within its size limit; call the tool again if you need it.]`;
}

/** An image, a PDF or a text file that a person attached to a question (not a tool's). */
function isAttachedFile(block: Anthropic.ContentBlockParam): block is Anthropic.ImageBlockParam | Anthropic.DocumentBlockParam | Anthropic.TextBlockParam {
  return block.type === 'image' || block.type === 'document' || (block.type === 'text' && block.text.startsWith(ATTACHED_FILE_TAG));
}

function attachedFileNote(block: Anthropic.ImageBlockParam | Anthropic.DocumentBlockParam | Anthropic.TextBlockParam, bytes: number): string {
  const name = block.type === 'document' && block.title ? ` "${block.title}"` : block.type === 'text' ? ` ${/^<attached_file name=("[^"]*")/.exec(block.text)?.[1] ?? ''}` : '';
  const what = block.type === 'image' ? 'an image' : block.type === 'document' ? 'a PDF' : 'a file';
  return `${COMPACTED_MARK} ${what}${name} (${bytes.toLocaleString('en-US')} bytes) attached earlier was removed from this thread's stored history to keep it within its size limit; ask for it again if you need it.]`;
}

/** tool_use id -> tool name, from the assistant message a user message of tool_results answers. */
function toolNames(message: Message | undefined): Map<string, string> {
  const names = new Map<string, string>();
  if (message?.role !== 'assistant') return names;
  for (const block of blocksOf(message)) if (block.type === 'tool_use') names.set(block.id, block.name);
  return names;
}
