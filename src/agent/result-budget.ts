// The tool-result bytes one turn may take in all (every round, every parallel call): past it, a
// result is cut to what is left, with a marker, and calls after that are not run at all. One
// result is already capped by the policy (limits.toolResultChars); this bounds what a loop of
// calls adds to the stored thread and to the next request. Sizes are UTF-8 bytes of text, and
// base64 characters of images.
import type { ToolResultBlock } from './content.js';

export interface ResultBudget {
  readonly limit: number;
  used: number;
}

export const resultBudget = (limit: number): ResultBudget => ({ limit, used: 0 });

export function blockBytes(block: ToolResultBlock): number {
  if (block.type === 'text') return Buffer.byteLength(block.text, 'utf8');
  const { source } = block;
  return source.type === 'base64' ? source.data.length : source.type === 'url' ? source.url.length : source.file_id.length;
}

/** Takes `content` out of the budget: whole if it fits, else cut to what is left (marked). */
export function spend(budget: ResultBudget, content: ToolResultBlock[]): { content: ToolResultBlock[]; cut: boolean } {
  const total = content.reduce((sum, block) => sum + blockBytes(block), 0);
  const left = Math.max(0, budget.limit - budget.used);
  if (total <= left) {
    budget.used += total;
    return { content, cut: false };
  }
  const out: ToolResultBlock[] = [];
  let room = left;
  for (const block of content) {
    const size = blockBytes(block);
    if (size <= room) {
      out.push(block);
      room -= size;
    } else if (block.type === 'text' && room > 0) {
      // A byte cut may end inside a character; the decoder's replacement character is dropped.
      const piece = Buffer.from(block.text, 'utf8').subarray(0, room).toString('utf8').replace(/\uFFFD+$/, '');
      if (piece.trim() !== '') out.push({ type: 'text', text: piece });
      room -= Buffer.byteLength(piece, 'utf8');
    }
  }
  budget.used = budget.limit;
  out.push({ type: 'text', text: `[cut: this answer may take ${budget.limit.toLocaleString('en-US')} bytes of tool results in all, and this one brought ${total.toLocaleString('en-US')}; ${(left - room).toLocaleString('en-US')} bytes of it are shown. No more tools run in this answer.]` });
  return { content: out, cut: true };
}

export function spent(budget: ResultBudget): boolean {
  return budget.used >= budget.limit;
}

export function notRunOverBudgetText(budget: ResultBudget): string {
  return `Not run: this answer has already received ${budget.limit.toLocaleString('en-US')} bytes of tool results, its limit. Answer with what you have.`;
}
