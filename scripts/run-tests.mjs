// Runs the whole test suite (or the files whose path contains an argument) with Node's own test
// runner, the test files through tsx.
//
// Before that:
// - it builds dist/ (`npm run build`: tsc -b, incremental, so a no-op when src/ has not changed since
//   the last build, e.g. the one `npm install` just did). The tests that start the bot or the chat
//   as a person does run `node dist/...`, so they must test the current code, and no spawned process
//   compiles TypeScript of its own (several at once, each compiling, used to take past 20 s to start).
// - it makes sure a Redis is listening on 127.0.0.1:6379 (REDIS_URL to override): the tests that need
//   Redis fail without it, so if none answers we start `redis-server` ourselves and stop it again
//   when the run is over.
//
// Concurrency: node --test runs each test file in a process of its own, at most --test-concurrency
// files at a time (Node's default: os.availableParallelism() - 1, so ONE file at a time on a 2-core
// machine). We pass that default explicitly so the scheduling is written down here. Inside a file,
// tests run one at a time unless a describe() asks for more; the files that spawn programs
// (test/e2e/cli.test.ts: { concurrency: 2 }) cap it, so a loaded machine never has more than a few
// programs starting at once. Timeouts in tests are generous (test/helpers/program.ts) and one that
// expires prints what the program printed and kills its whole process group.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function listTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

function isListening(port, host) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function ensureRedis() {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const port = Number(url.port || 6379);
  if (await isListening(port, url.hostname)) return undefined;
  console.log(`# no Redis on ${url.host}: starting redis-server for the test run`);
  const child = spawn('redis-server', ['--port', String(port), '--bind', url.hostname, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  child.on('error', (err) => console.error(`# could not start redis-server: ${err.message}`));
  for (let i = 0; i < 50; i++) {
    if (await isListening(port, url.hostname)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('# redis-server did not start: the tests that need Redis will fail');
  return child;
}

const filter = process.argv.slice(2);
const files = listTests(path.join(root, 'test')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
if (files.length === 0) {
  // node --test with no files would go looking for tests on its own (and run the fixtures).
  console.error(`no test file matches ${filter.join(', ')}`);
  process.exit(1);
}
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) {
  console.error('# the build failed (npm run build): the tests would run an old dist/');
  process.exit(build.status ?? 1);
}
const redis = await ensureRedis();
const concurrency = Math.max(1, os.availableParallelism() - 1);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
redis?.kill('SIGTERM');
process.exit(result.status ?? 1);
