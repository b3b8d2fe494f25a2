// One entry of the servers file -> a ServerConfig: a local command (stdio) or a URL (remote). Problems
// are pushed to a shared list, each naming the file, the key and the fix, so the person sees them all.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { expandVars, type Env } from './expand.js';
import { keyPath } from '../config-file.js';
import { isPlainObject } from '../plain-object.js';
import type { OAuthEntry, RemoteServerConfig, Root, ServerConfig, StdioServerConfig } from './types.js';

export interface EntryContext {
  /** How the file is named in messages. */
  file: string;
  env: Env;
  /** Relative `cwd` and `roots` paths are resolved against this. */
  baseDir?: string;
  problems: string[];
}

/** Every `type` other clients write for a server reached by URL, mapped to how we reach it. */
const REMOTE_TYPES: Record<string, RemoteServerConfig['transport']> = {
  http: 'http',
  'streamable-http': 'http',
  streamableHttp: 'http',
  sse: 'sse',
};
// A header name is an HTTP token; a value must not be able to start another header.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const URI_WITH_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

const rootsSchema = z
  .array(
    z.union([
      z.string(),
      z.object({
        uri: z.string({ error: 'must be a string: a directory path or a file:// URI' }),
        name: z.string({ error: 'must be a string' }).optional(),
      }),
    ], { error: 'must be a directory path, a file:// URI, or {"uri": "...", "name": "..."}' }),
    { error: 'must be a list of directories, e.g. ["./docs", {"uri": "/srv/data", "name": "Data"}]' },
  )
  .optional();

// Unknown keys (autoApprove, timeout, ...) belong to other clients and are dropped on purpose.
const stdioSchema = z.object({
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
  roots: rootsSchema,
});

const remoteSchema = z.object({
  url: z
    .string({ error: 'must be a string: the server\'s address, e.g. "https://mcp.example.com/mcp"' })
    .trim()
    .min(1, { error: 'is empty; give the server\'s address, e.g. "https://mcp.example.com/mcp"' })
    .optional(),
  headers: z
    .record(z.string(), z.string({ error: 'must be a string' }), {
      error: 'must be an object of strings, e.g. {"Authorization": "Bearer ${API_TOKEN}"}',
    })
    .optional(),
  type: z.string({ error: 'must be a string ("http" or "sse")' }).optional(),
  roots: rootsSchema,
  // Every key optional (README, "The servers file": OAuth). Grant names: RFC 6749 sections 4.1 and 4.4.
  oauth: z
    .object(
      {
        clientId: z.string({ error: 'must be a string: the client id the authorization server gave the bot' }).min(1, { error: 'is empty; remove it or give the client id' }).optional(),
        clientSecret: z.string({ error: 'must be a string, e.g. "${OAUTH_SECRET}"' }).optional(),
        scopes: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of scopes, e.g. ["read", "write"]' }).optional(),
        grant: z.enum(['authorization_code', 'client_credentials'], { error: 'must be "authorization_code" (each person signs in) or "client_credentials" (one identity for the team)' }).optional(),
      },
      { error: 'must be an object like {"clientId": "...", "clientSecret": "${SECRET}", "scopes": ["read"]}' },
    )
    .strict()
    .optional(),
});

/** Parses one entry; returns undefined (with problems pushed) when it is unusable or disabled. */
export function parseEntry(name: string, raw: unknown, ctx: EntryContext): ServerConfig | undefined {
  const { file, problems } = ctx;
  if (name.trim() === '') {
    problems.push(`${file}: mcpServers has an entry with an empty name; give it a short name such as "github"`);
    return undefined;
  }
  const at = atFor(ctx, name);
  if (!isPlainObject(raw)) {
    problems.push(`${at()} must be an object like {"command": "npx", "args": ["-y", "some-mcp-server"]} or {"url": "https://..."}`);
    return undefined;
  }
  if (raw.disabled === true) return undefined;
  if (raw.disabled !== undefined && typeof raw.disabled !== 'boolean') {
    problems.push(`${at('disabled')} must be true or false`);
    return undefined;
  }
  const remote = 'url' in raw || (typeof raw.type === 'string' && raw.type in REMOTE_TYPES);
  if (remote && 'command' in raw) {
    problems.push(`${at()} has both "command" and "url"; keep "command" for a local server or "url" for a remote one`);
    return undefined;
  }
  return remote ? parseRemote(name, raw, ctx) : parseStdio(name, raw, ctx);
}

function parseStdio(name: string, raw: Record<string, unknown>, ctx: EntryContext): StdioServerConfig | undefined {
  const { problems } = ctx;
  const at = atFor(ctx, name);
  const parsed = stdioSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${at(...issue.path)} ${issue.message}`);
    return undefined;
  }
  const entry = parsed.data;
  if (entry.type !== undefined && entry.type !== 'stdio') {
    problems.push(`${at('type')} is "${entry.type}"; use "stdio" for a local command, or "http" / "sse" with a "url"`);
    return undefined;
  }
  if (entry.command === undefined) {
    problems.push(`${at('command')} is missing; give the program that starts the server, e.g. "npx" or "node"`);
    return undefined;
  }
  const before = problems.length;
  const expand = expanderFor(ctx, name);
  const command = expand(entry.command, ['command']);
  const args = (entry.args ?? []).map((arg, i) => expand(arg, ['args', i]));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry.env ?? {})) env[key] = expand(value, ['env', key]);
  let cwd = entry.cwd === undefined ? undefined : expand(entry.cwd, ['cwd']);
  if (cwd !== undefined && ctx.baseDir !== undefined) cwd = path.resolve(ctx.baseDir, cwd);
  const roots = parseRoots(entry.roots, ctx, name);
  if (problems.length > before) return undefined;
  return {
    kind: 'stdio',
    name,
    command,
    args,
    env,
    ...(cwd === undefined ? {} : { cwd }),
    ...(roots === undefined ? {} : { roots }),
  };
}

function parseRemote(name: string, raw: Record<string, unknown>, ctx: EntryContext): RemoteServerConfig | undefined {
  const { problems } = ctx;
  const at = atFor(ctx, name);
  const parsed = remoteSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${at(...issue.path)} ${issue.message}`);
    return undefined;
  }
  const entry = parsed.data;
  if (entry.url === undefined) {
    problems.push(`${at('url')} is missing; give the server's address, e.g. "https://mcp.example.com/mcp"`);
    return undefined;
  }
  const transport = entry.type === undefined ? 'auto' : REMOTE_TYPES[entry.type];
  if (transport === undefined) {
    problems.push(`${at('type')} is "${entry.type}"; a server with a "url" takes "http" (Streamable HTTP) or "sse", or no type to try both`);
    return undefined;
  }
  const before = problems.length;
  const expand = expanderFor(ctx, name);
  const url = expand(entry.url, ['url']);
  // The expanded value is not echoed: it may carry a token. The written one cannot.
  if (problems.length === before && !isHttpUrl(url)) {
    problems.push(`${at('url')} ("${entry.url}") is not an http:// or https:// address`);
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry.headers ?? {})) {
    if (!HEADER_NAME.test(key)) {
      problems.push(`${at('headers', key)} is not a valid HTTP header name`);
      continue;
    }
    const expanded = expand(value, ['headers', key]);
    if (/[\r\n\0]/.test(expanded)) problems.push(`${at('headers', key)} contains a line break; header values must be one line`);
    headers[key] = expanded;
  }
  const roots = parseRoots(entry.roots, ctx, name);
  const oauth = parseOAuth(entry.oauth, ctx, name);
  if (problems.length > before) return undefined;
  return { kind: 'remote', name, url, headers, transport, ...(roots === undefined ? {} : { roots }), ...(oauth ? { oauth } : {}) };
}

/** The `oauth` key, with ${VAR} expanded in the client id and secret. */
function parseOAuth(raw: z.infer<typeof remoteSchema>['oauth'], ctx: EntryContext, name: string): OAuthEntry | undefined {
  if (raw === undefined) return undefined;
  const expand = expanderFor(ctx, name);
  const grant = raw.grant ?? 'authorization_code';
  const clientId = raw.clientId === undefined ? undefined : expand(raw.clientId, ['oauth', 'clientId']);
  const clientSecret = raw.clientSecret === undefined ? undefined : expand(raw.clientSecret, ['oauth', 'clientSecret']);
  if (grant === 'client_credentials' && (!clientId || !clientSecret)) {
    ctx.problems.push(`${atFor(ctx, name)('oauth')} uses "grant": "client_credentials", which needs "clientId" and "clientSecret" (the service account the authorization server gave the bot)`);
  }
  return {
    grant,
    ...(clientId ? { clientId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...(raw.scopes ? { scopes: raw.scopes } : {}),
  };
}

/** Directories (relative to the file) and URIs -> roots, with ${VAR} expanded. */
function parseRoots(raw: z.infer<typeof rootsSchema>, ctx: EntryContext, name: string): Root[] | undefined {
  if (raw === undefined) return undefined;
  const expand = expanderFor(ctx, name);
  return raw.map((item, i) => {
    const written = typeof item === 'string' ? item : item.uri;
    const value = expand(written, typeof item === 'string' ? ['roots', i] : ['roots', i, 'uri']);
    const uri = URI_WITH_SCHEME.test(value) ? value : pathToFileURL(path.resolve(ctx.baseDir ?? process.cwd(), value)).href;
    return typeof item !== 'string' && item.name !== undefined ? { uri, name: item.name } : { uri };
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function atFor(ctx: EntryContext, name: string) {
  return (...rest: PropertyKey[]) => `${ctx.file}: ${keyPath(['mcpServers', name, ...rest])}`;
}

function expanderFor(ctx: EntryContext, name: string) {
  const at = atFor(ctx, name);
  return (value: string, key: PropertyKey[]): string => {
    const { value: out, missing } = expandVars(value, ctx.env);
    for (const variable of missing) {
      ctx.problems.push(`${at(...key)} uses \${${variable}}, which is not set; set it in the environment or .env`);
    }
    return out;
  };
}
