// `${VAR}` and `${VAR:-default}` in the servers file, as Claude Desktop / Claude Code configs use them,
// so secrets stay in the environment (or .env) and out of the file. `$VAR` without braces is left
// alone: a literal "$" in an argument is more common than people expect.
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type Env = Record<string, string | undefined>;

export interface Expanded {
  value: string;
  /** Variables referenced without a default that are not set. */
  missing: string[];
}

export function expandVars(text: string, env: Env): Expanded {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
    if (found === undefined) {
      missing.push(name);
      return '';
    }
    return found;
  });
  return { value, missing };
}
