// How a place in the servers file is named in messages: `mcpServers.github.env.GITHUB_TOKEN`.

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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
