// Runs the terminal chat (`node --import tsx src/cli/main.ts <args>`) as a person would, with a clean
// environment, the given stdin, and a deadline; resolves with the exit code and what it printed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, type Run } from './bot-process.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXIT_DEADLINE_MS = 90_000;

export function runChatToExit(args: string[], env: Record<string, string>, options: { cwd?: string; stdin?: string } = {}): Promise<Run> {
  const main = path.join(REPO_ROOT, 'src/cli/main.ts');
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, ...args], { cwd: options.cwd ?? REPO_ROOT, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  child.stdin.end(options.stdin ?? 'quit\n');
  return new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the chat did not exit within ${EXIT_DEADLINE_MS} ms\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`));
    }, EXIT_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...run, code });
    });
  });
}
