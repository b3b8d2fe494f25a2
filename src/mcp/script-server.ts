// The tutorial's shorthand: `<chat command> path/to/server.py` starts that one script as a server,
// picking the interpreter from the extension, so people can follow the classic MCP client tutorial.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { scriptServerName } from './script-name.js';
import type { StdioServerConfig } from './types.js';

export interface ScriptServerOptions {
  /** Server name; defaults to the file's name, or its package's or folder's for an index.js (script-name.ts). */
  name?: string;
  /** Relative paths are resolved against this (default: process.cwd()). */
  cwd?: string;
  /** The node binary for .js/.mjs/.cjs/.ts (default: the one running the bot). */
  nodePath?: string;
  /** The Python binary for .py (default: python3, or python on Windows). */
  pythonPath?: string;
  /** Finds tsx's ESM loader for .ts scripts; undefined when tsx is not installed. */
  resolveTsxLoader?: () => string | undefined;
  env?: Record<string, string>;
}

/** tsx's loader, as a file URL for `node --import`, resolved from this package's node_modules. */
export function defaultTsxLoader(): string | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

export function serverFromScript(script: string, options: ScriptServerOptions = {}): StdioServerConfig {
  const file = path.resolve(options.cwd ?? process.cwd(), script);
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new ConfigError([`${script}: no such file (looked for ${file}); give the path to a server script (.js, .mjs, .py or .ts)`]);
  }
  const ext = path.extname(file).toLowerCase();
  const name = options.name ?? scriptServerName(file);
  const node = options.nodePath ?? process.execPath;
  const base = { kind: 'stdio' as const, name, env: options.env ?? {} };
  switch (ext) {
    case '.js':
    case '.mjs':
    case '.cjs':
      return { ...base, command: node, args: [file] };
    case '.py':
      return { ...base, command: options.pythonPath ?? (process.platform === 'win32' ? 'python' : 'python3'), args: [file] };
    case '.ts':
    case '.mts': {
      const loader = (options.resolveTsxLoader ?? defaultTsxLoader)();
      if (loader === undefined) {
        throw new ConfigError([`${script}: running a TypeScript server needs tsx; run "npm install tsx" or compile it to .js first`]);
      }
      return { ...base, command: node, args: ['--import', loader, file] };
    }
    default:
      throw new ConfigError([`${script}: cannot tell how to run "${ext || 'a file without extension'}"; use a .js, .mjs, .py or .ts server script, or a servers file`]);
  }
}
