// Tool-name patterns of the policy file: `*` matches any run of characters (also none), everything
// else matches itself, case-sensitively, as MCP tool names are. Nothing more, so a pattern reads the
// same to every admin: "create_*", "*_delete", "*".

const cache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (!regex) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${body}$`, 's');
    cache.set(pattern, regex);
  }
  return regex;
}

export function matchesGlob(pattern: string, name: string): boolean {
  return compile(pattern).test(name);
}

export function matchesAny(patterns: readonly string[] | undefined, name: string): boolean {
  return patterns !== undefined && patterns.some((pattern) => matchesGlob(pattern, name));
}
