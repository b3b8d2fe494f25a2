// The worker's side of WORKERS > 1 (primary.ts is the other): who it is, from the environment the
// primary started it with; "ready" with its private port once the bot is up; and a stop when the
// primary says so, or when the primary is gone (the IPC channel closed), so no worker outlives it.
import { STOP_MESSAGE, WORKER_COUNT_VAR, WORKER_INDEX_VAR, type WorkerReady, type WorkerStorageOpen } from './primary.js';
import type { WorkerSlot } from './shard.js';

/** This process's slot when the primary started it; undefined when it runs alone or is the primary. */
export function workerSlotFrom(env: NodeJS.ProcessEnv): WorkerSlot | undefined {
  const index = Number(env[WORKER_INDEX_VAR]);
  const count = Number(env[WORKER_COUNT_VAR]);
  if (typeof process.send !== 'function' || !Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) return undefined;
  return { index, count };
}

/** Calls `stop` when the primary asks or goes away; the IPC channel never keeps this process alive. */
export function followPrimary(stop: () => void): void {
  process.on('message', (message: { type?: unknown }) => {
    if (message.type === STOP_MESSAGE.type) stop();
  });
  process.on('disconnect', stop);
  process.channel?.unref();
}

export function tellReady(port: number): void {
  const ready: WorkerReady = { type: 'worker-ready', port };
  process.send?.(ready);
}

/** The store and inbox are open: the file exists, the other workers may open it now. */
export function tellStorageOpen(): void {
  const open: WorkerStorageOpen = { type: 'worker-storage-open' };
  process.send?.(open);
}
