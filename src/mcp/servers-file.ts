// The servers file: `{ "mcpServers": { name: { command, args, env, cwd } or { url, headers } } }`, the
// format Claude Desktop and other clients use, so people can paste entries they already have. Every
// problem is collected (not just the first) and reported as one ConfigError line that names the file,
// the key and the fix. Entries themselves are read in server-entries.ts.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { Env } from './expand.js';
import { parseJsonFile, readConfigFile } from '../config-file.js';
import { isPlainObject } from '../plain-object.js';
import { parseEntry } from './server-entries.js';
import type { ServerConfig } from './types.js';

export { keyPath } from '../config-file.js';

export interface ParseOptions {
  /** How the file is named in messages (as the person wrote it, e.g. "mcp.json"). */
  file: string;
  /** Where `${VAR}` values come from (process.env plus .env, as config.ts assembles it). */
  env: Env;
  /** Relative `cwd` and `roots` entries are resolved against this (the file's own directory). */
  baseDir?: string;
}

const SHAPE_HINT = '{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}}}';

/** Parses the text of a servers file. Throws ConfigError listing every problem found. */
export function parseServersFile(text: string, options: ParseOptions): ServerConfig[] {
  const { file } = options;
  const data = parseJsonFile(text, file, SHAPE_HINT);
  if (!isPlainObject(data) || !isPlainObject(data.mcpServers)) {
    throw new ConfigError([`${file}: needs an "mcpServers" object, like ${SHAPE_HINT}`]);
  }
  const problems: string[] = [];
  const servers: ServerConfig[] = [];
  const ctx = { file, env: options.env, problems, ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }) };
  for (const [name, raw] of Object.entries(data.mcpServers)) {
    const server = parseEntry(name, raw, ctx);
    if (server) servers.push(server);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return servers;
}

/** Reads and parses the servers file at `file`. Throws ConfigError (also when it cannot be read). */
export function loadServersFile(file: string, env: Env): ServerConfig[] {
  const text = readConfigFile(file, `create it with ${SHAPE_HINT}, or point MCP_CONFIG at your servers file`);
  return parseServersFile(text, { file, env, baseDir: path.dirname(path.resolve(file)) });
}
