// Group commit on the one sqlite connection of the inbox: calls that arrive while the connection is
// busy wait, and when their turn on it comes they all run as one batch (one statement or one
// transaction, not one per call). In a burst this is what keeps the inbox off the critical path:
// each round trip to sqlite's worker threads and each write lock (which Keyv's connection to the
// same file also takes) is paid once a batch. A failed batch fails every call in it.
import type { SqliteDb } from './sqlite-db.js';

/** `run` gets the batch in arrival order and answers one result per item, in the same order. */
export function groupCommit<I, R>(db: Pick<SqliteDb, 'serial'>, maxBatch: number, run: (items: I[]) => Promise<R[]>): (item: I) => Promise<R> {
  const waiting: { item: I; settle: (result: R | Error) => void }[] = [];
  let flushQueued = false;
  const flush = async () => {
    let batch: typeof waiting = [];
    try {
      const results = await db.serial(() => {
        // Taken when its turn on the connection comes: everything that arrived while it waited.
        batch = waiting.splice(0, maxBatch);
        flushQueued = waiting.length > 0;
        if (flushQueued) void flush(); // the rest, in the next batch
        return run(batch.map((entry) => entry.item));
      });
      batch.forEach((entry, i) => entry.settle(i < results.length ? (results[i] as R) : new Error('no result for a batched call')));
    } catch (error) {
      for (const entry of batch) entry.settle(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return async (item) => {
    const result = await new Promise<R | Error>((settle) => {
      waiting.push({ item, settle });
      if (!flushQueued) {
        flushQueued = true;
        void flush();
      }
    });
    if (result instanceof Error) throw result;
    return result;
  };
}
