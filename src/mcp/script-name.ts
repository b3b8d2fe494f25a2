// The name of a server started from a script path (`npm run chat -- path/to/server.js`): the file's
// own name ("weather.py" -> "weather"), unless that name only says it is an entry point ("index",
// "main", "server", ...). Then it is named after its package (the nearest package.json with a name,
// scope dropped: ".../server-everything/dist/index.js" -> "server-everything") or, when no package
// comes first, its folder ("./notes/index.js" -> "notes"). Build folders (dist, build, lib, ...)
// are looked through, not used as names.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ENTRY_NAMES = new Set(['index', 'main', 'server', 'app', 'cli', 'mod', '__main__', 'entry', 'start']);
const BUILD_FOLDERS = new Set(['dist', 'build', 'lib', 'out', 'src', 'bin', 'esm', 'cjs', 'dist-esm', 'dist-cjs', 'output']);

/** Reads a name out of a folder's package.json; undefined when there is none or it has no name. */
export type PackageNameReader = (dir: string) => string | undefined;

export function scriptServerName(file: string, readPackageName: PackageNameReader = packageNameIn): string {
  const stem = path.basename(file, path.extname(file));
  if (stem !== '' && !ENTRY_NAMES.has(stem.toLowerCase())) return stem;
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const packageName = readPackageName(dir);
    if (packageName) return packageName.replace(/^@[^/]+\//, '');
    const folder = path.basename(dir);
    if (folder !== '' && !BUILD_FOLDERS.has(folder.toLowerCase())) return folder;
    const parent = path.dirname(dir);
    if (parent === dir) return stem || 'server';
    dir = parent;
  }
}

function packageNameIn(dir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
  } catch {
    return undefined;
  }
}
