// Tool-name patterns of the policy file: `*` matches any run of characters (also none), everything
// else matches itself, case-sensitively, as MCP tool names are. Nothing more, so a pattern reads the
// same to every admin: "create_*", "*_delete", "*".
//
// Matched by hand rather than through a RegExp built from the pattern: `^.*a.*a.*a.*b$` backtracks
// polynomially (n^k for k stars) on a long name that almost matches, and the name comes from a server.
// With only `*`, the pieces between stars can be found left to right, each at its first place after
// the previous one (the leftmost choice never loses a match), so the name is read left to right once,
// never backtracked: at worst name length × pattern length steps, linear in the name.

export function matchesGlob(pattern: string, name: string): boolean {
  const pieces = pattern.split('*');
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return name === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const found = name.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

export function matchesAny(patterns: readonly string[] | undefined, name: string): boolean {
  return patterns !== undefined && patterns.some((pattern) => matchesGlob(pattern, name));
}
