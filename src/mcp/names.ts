// Namespaced tool names: Claude sees `<server>__<tool>`, which must match ^[a-zA-Z0-9_-]{1,64}$.
// Most names pass through untouched so people recognise them in tool notes. A name that is too long
// or has other characters (dots, spaces, unicode) is shortened deterministically: a readable prefix
// plus a short hash of the original, so the same server and tool always get the same name (it is
// stored in conversation history and must still resolve after a restart).
import { createHash } from 'node:crypto';

// The Messages API's rule for a tool's name (docs.anthropic.com, "Tool use": name must match
// ^[a-zA-Z0-9_-]{1,64}$; the fake Anthropic enforces the same).
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_TOOL_NAME = 64;
/**
 * The longest tool name we take from a server: the MCP spec (2025-11-25, server/tools, "Tool names":
 * "SHOULD be between 1 and 128 characters in length (inclusive)"). Names up to this are shortened
 * with a hash to fit the Messages API; a longer (or empty) one is refused: nothing honest needs it, and
 * a megabyte of name would otherwise be hashed, logged and shown on every catalog rebuild.
 */
export const MAX_SERVER_TOOL_NAME = 128;

/** Whether a server's own tool name is one we offer at all (see MAX_SERVER_TOOL_NAME). */
export function acceptableToolName(tool: string): boolean {
  return tool.length >= 1 && tool.length <= MAX_SERVER_TOOL_NAME;
}
export const SEPARATOR = '__';

// A server prefix never contains "__" and never ends with "_": then the first "__" in a namespaced
// name is always the separator, and two servers can never produce the same name for their tools.
const SAFE_SERVER = /^[a-zA-Z0-9-]+(?:_[a-zA-Z0-9-]+)*$/;
const SAFE_TOOL = /^[a-zA-Z0-9_-]+$/;
// Leaves at least ~37 characters for the tool part.
const MAX_SERVER_PREFIX = 24;
const HASH_LENGTH = 8;

export function shortHash(text: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** Replaces everything outside [a-zA-Z0-9_-] (after folding accents away: "é" -> "e"). */
function sanitize(text: string, replacement: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z0-9_-]+/g, replacement);
}

/** The server part of every namespaced name of that server. */
export function serverPrefix(server: string): string {
  if (SAFE_SERVER.test(server) && server.length <= MAX_SERVER_PREFIX) return server;
  // "-" instead of "_" so the prefix cannot contain the separator.
  const readable = sanitize(server, '-')
    .replace(/_+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, MAX_SERVER_PREFIX - HASH_LENGTH - 1)
    .replace(/-$/, '');
  return `${readable || 'server'}-${shortHash(server, HASH_LENGTH)}`;
}

/** `<server>__<tool>`, shortened with a hash when it would not be a valid Claude tool name. */
export function namespacedToolName(server: string, tool: string): string {
  const prefix = serverPrefix(server) + SEPARATOR;
  if (SAFE_TOOL.test(tool) && prefix.length + tool.length <= MAX_TOOL_NAME) return prefix + tool;
  const room = MAX_TOOL_NAME - prefix.length - HASH_LENGTH - 1;
  const readable = sanitize(tool, '_').replace(/_+/g, '_').replace(/^_|_$/g, '').slice(0, room).replace(/_$/, '');
  return `${prefix}${readable || 'tool'}_${shortHash(tool, HASH_LENGTH)}`;
}

export interface ToolRef {
  server: string;
  tool: string;
}

/**
 * Names for a whole catalog, with an exact map back. namespacedToolName is injective except for a
 * hash collision or a tool literally named like another's shortened form; this resolves such a clash
 * by giving the later entry a longer hash of (server, tool), and reports it so it can be logged.
 */
export function assignToolNames(refs: ToolRef[]): { names: Map<string, ToolRef>; clashes: string[] } {
  const names = new Map<string, ToolRef>();
  const clashes: string[] = [];
  for (const ref of refs) {
    let name = namespacedToolName(ref.server, ref.tool);
    const taken = names.get(name);
    if (taken && (taken.server !== ref.server || taken.tool !== ref.tool)) {
      clashes.push(name);
      const hash = shortHash(`${ref.server}\u0000${ref.tool}`, 16);
      name = `${name.slice(0, MAX_TOOL_NAME - hash.length - 1)}_${hash}`;
    }
    if (!names.has(name)) names.set(name, ref);
  }
  return { names, clashes };
}
