// Shared by the JSON configuration files (servers, policy, prices): how a place in a file is named in
// messages, and reading the file and its JSON with an error a person can act on.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

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

/** The parsed JSON of a configuration file, or a ConfigError naming the file and the shape it wants. */
export function parseJsonFile(text: string, file: string, shapeHint: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: is not valid JSON (${(err as Error).message}); fix the syntax, it should look like ${shapeHint}`]);
  }
}

/** The text of a configuration file, or a ConfigError naming it, why it cannot be read, and `fix`. */
export function readConfigFile(file: string, fix: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`;
    throw new ConfigError([`${file}: ${reason}; ${fix}`]);
  }
}
