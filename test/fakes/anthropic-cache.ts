// The fake's prompt cache, close to the real one's rules: the prompt is read as one sequence of
// blocks (tools, then system, then the messages' blocks); a block with cache_control, or the last
// block when the request has a top-level cache_control, is a breakpoint whose prefix is written to
// the cache; a later request whose prefix matches a cached one reads it. Usage then says what was
// read, written, and sent uncached, so tests can check that a thread's later turns hit the cache.
import { createHash } from 'node:crypto';
import { countTokens } from './anthropic-tokens.js';

export interface PromptUsage {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

type Json = Record<string, unknown>;

export class FakePromptCache {
  private readonly cached = new Set<string>();

  /** Accounts one request's prompt and caches its breakpoints. */
  account(body: Json): PromptUsage {
    const blocks = promptBlocks(body);
    const hashes: string[] = [];
    const tokens: number[] = [];
    let hash = '';
    for (const block of blocks) {
      hash = createHash('sha256').update(hash).update(block.key).digest('hex');
      hashes.push(hash);
      tokens.push(block.tokens);
    }
    const breakpoints = blocks.flatMap((block, i) => (block.breakpoint ? [i] : []));
    if (body.cache_control != null && blocks.length > 0) breakpoints.push(blocks.length - 1);
    let read = -1;
    for (let i = hashes.length - 1; i >= 0; i--) {
      if (this.cached.has(hashes[i] ?? '')) {
        read = i;
        break;
      }
    }
    const lastBreakpoint = Math.max(-1, ...breakpoints);
    const sum = (from: number, to: number) => tokens.slice(from, to + 1).reduce((a, b) => a + b, 0);
    const total = sum(0, tokens.length - 1);
    const readTokens = read >= 0 ? sum(0, read) : 0;
    const written = lastBreakpoint > read ? sum(read + 1, lastBreakpoint) : 0;
    for (const b of breakpoints) this.cached.add(hashes[b] ?? '');
    return { input_tokens: Math.max(1, total - readTokens - written), cache_read_input_tokens: readTokens, cache_creation_input_tokens: written };
  }
}

interface PromptBlock {
  key: string;
  tokens: number;
  breakpoint: boolean;
}

function promptBlocks(body: Json): PromptBlock[] {
  const out: PromptBlock[] = [];
  const add = (scope: string, block: unknown) => {
    const record = typeof block === 'object' && block !== null ? (block as Json) : { text: block };
    const { cache_control: control, ...rest } = record;
    out.push({ key: `${scope}:${JSON.stringify(rest)}`, tokens: countTokens(rest), breakpoint: control != null });
  };
  for (const tool of Array.isArray(body.tools) ? body.tools : []) add('tool', tool);
  if (typeof body.system === 'string') add('system', body.system);
  else for (const block of Array.isArray(body.system) ? body.system : []) add('system', block);
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  messages.forEach((message, i) => {
    const content = message.content;
    if (typeof content === 'string') add(`${i}:${String(message.role)}`, content);
    else for (const block of Array.isArray(content) ? content : []) add(`${i}:${String(message.role)}`, block);
  });
  return out;
}
