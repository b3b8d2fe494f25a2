// The servers file: `{ "mcpServers": { name: { command, args, env, cwd } } }`, the format Claude Desktop
// and other clients use, so people can paste entries they already have. Every problem is collected
// (not just the first) and reported as one ConfigError line that names the file, the key and the fix.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { expandVars, type Env } from './expand.js';
import type { StdioServerConfig } from './types.js';

export interface ParseOptions {
  /** How the file is named in messages (as the person wrote it, e.g. "mcp.json"). */
  file: string;
  /** Where `${VAR}` values come from (process.env plus .env, as config.ts assembles it). */
  env: Env;
  /** Relative `cwd` entries are resolved against this (the file's own directory). */
  baseDir?: string;
}

const SHAPE_HINT = '{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}}';
const REMOTE_TYPES = new Set(['sse', 'http', 'streamable-http', 'streamableHttp']);

// Unknown keys (autoApprove, timeout, ...) belong to other clients and are dropped on purpose.
const entrySchema = z.object({
  command: z
    .string({ error: 'must be a string: the program that starts the server, e.g. "npx" or "node"' })
    .trim()
    .min(1, { error: 'is empty; give the program that starts the server, e.g. "npx" or "node"' })
    .optional(),
  args: z
    .array(z.string({ error: 'must be a string (quote numbers and flags)' }), {
      error: 'must be a list of strings, e.g. ["-y", "@modelcontextprotocol/server-memory"]',
    })
    .optional(),
  env: z
    .record(z.string(), z.string({ error: 'must be a string (quote numbers and booleans)' }), {
      error: 'must be an object of strings, e.g. {"API_KEY": "${API_KEY}"}',
    })
    .optional(),
  cwd: z.string({ error: 'must be a string: the directory to start the server in' }).optional(),
  type: z.string({ error: 'must be a string ("stdio")' }).optional(),
  disabled: z.boolean({ error: 'must be true or false' }).optional(),
});

/** `mcpServers.github.env.GITHUB_TOKEN`, with brackets for keys that are not plain identifiers. */
export function keyPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) out += (out ? '.' : '') + String(segment);
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the text of a servers file. Throws ConfigError listing every problem found. */
export function parseServersFile(text: string, options: ParseOptions): StdioServerConfig[] {
  const { file } = options;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: is not valid JSON (${(err as Error).message}); fix the syntax, it should look like ${SHAPE_HINT}`]);
  }
  if (!isPlainObject(data) || !isPlainObject(data.mcpServers)) {
    throw new ConfigError([`${file}: needs an "mcpServers" object, like ${SHAPE_HINT}`]);
  }
  const problems: string[] = [];
  const servers: StdioServerConfig[] = [];
  for (const [name, raw] of Object.entries(data.mcpServers)) {
    const server = parseEntry(name, raw, options, problems);
    if (server) servers.push(server);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return servers;
}

function parseEntry(name: string, raw: unknown, options: ParseOptions, problems: string[]): StdioServerConfig | undefined {
  const { file } = options;
  const at = (...rest: PropertyKey[]) => `${file}: ${keyPath(['mcpServers', name, ...rest])}`;
  if (name.trim() === '') {
    problems.push(`${file}: mcpServers has an entry with an empty name; give it a short name such as "github"`);
    return undefined;
  }
  if (!isPlainObject(raw)) {
    problems.push(`${at()} must be an object like {"command": "npx", "args": ["-y", "some-mcp-server"]}`);
    return undefined;
  }
  if (raw.disabled === true) return undefined;
  if ('url' in raw || (typeof raw.type === 'string' && REMOTE_TYPES.has(raw.type))) {
    problems.push(
      `${at('url')}: remote servers (url) are not supported yet; run the server locally with "command" and "args", ` +
        'or bridge it over stdio, e.g. {"command": "npx", "args": ["-y", "mcp-remote", "<url>"]}',
    );
    return undefined;
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${at(...issue.path)} ${issue.message}`);
    return undefined;
  }
  const entry = parsed.data;
  if (entry.type !== undefined && entry.type !== 'stdio') {
    problems.push(`${at('type')} is "${entry.type}"; only "stdio" (a local command) is supported`);
    return undefined;
  }
  if (entry.command === undefined) {
    problems.push(`${at('command')} is missing; give the program that starts the server, e.g. "npx" or "node"`);
    return undefined;
  }

  const before = problems.length;
  const expand = (value: string, key: PropertyKey[]): string => {
    const { value: out, missing } = expandVars(value, options.env);
    for (const variable of missing) {
      problems.push(`${at(...key)} uses \${${variable}}, which is not set; set it in the environment or .env`);
    }
    return out;
  };
  const command = expand(entry.command, ['command']);
  const args = (entry.args ?? []).map((arg, i) => expand(arg, ['args', i]));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry.env ?? {})) env[key] = expand(value, ['env', key]);
  let cwd = entry.cwd === undefined ? undefined : expand(entry.cwd, ['cwd']);
  if (cwd !== undefined && options.baseDir !== undefined) cwd = path.resolve(options.baseDir, cwd);
  if (problems.length > before) return undefined;

  return { kind: 'stdio', name, command, args, env, ...(cwd === undefined ? {} : { cwd }) };
}

/** Reads and parses the servers file at `file`. Throws ConfigError (also when it cannot be read). */
export function loadServersFile(file: string, env: Env): StdioServerConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ConfigError([`${file}: ${reason}; create it with ${SHAPE_HINT}, or point MCP_CONFIG at your servers file`]);
  }
  return parseServersFile(text, { file, env, baseDir: path.dirname(path.resolve(file)) });
}
