// The processes the bench starts (the bot in threads-at-once, the ack-floor server), so that the
// watchdog in bench/run.ts can end them, by pid, before it gives up: none outlives the bench.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function killTracked(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
  }
}
