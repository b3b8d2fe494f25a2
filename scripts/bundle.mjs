// Part of `npm run build`, after tsc: bundles the two programs, src/main.ts (`npm start`) and
// src/cli/main.ts (`npm run chat`), each into one file over tsc's output of the same name
// (dist/main.js, dist/cli/main.js, and the chunks they share or load later, dist/chunks/), with
// every package inside except the sqlite3 driver (a native addon). Why: Node 20 resolves, reads and
// compiles each of the ~600 ES modules and CommonJS files the bot imports one by one at every start
// (0.8-1.0 s of CPU, half of a 1.4 s start on an idle 2-core machine, measured with --cpu-prof);
// bundled, 0.35-0.4 s. tsc still typechecks and emits the rest of dist/; it only re-emits a file
// whose source changed, so the bundle is rebuilt from src/ at every build (about a second) and never
// bundles a bundle.
// esbuild: https://esbuild.github.io/api/ (bundle, platform, format, splitting, chunkNames, banner,
// external, sourcemap).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Chunk names carry a hash of their content: the last build's are removed, not left to pile up.
rmSync(path.join(root, 'dist/chunks'), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts', 'cli/main': 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // What main.ts imports only when needed (the bot itself: a WORKERS primary never loads it) goes
  // into chunks of its own, loaded by the import() that needs them.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node20',
  // The CommonJS packages inside (Bolt, the Slack SDK, ...) call require(); ESM has none, so the
  // bundle makes one (esbuild's own advice for ESM bundles of CommonJS code).
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  // A native addon found through `bindings` at run time: it stays in node_modules.
  external: ['sqlite3'],
  sourcemap: 'linked',
  logLevel: 'warning',
});
