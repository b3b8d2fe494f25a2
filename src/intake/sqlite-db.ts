// A small promise face over the sqlite3 package (the driver @keyv/sqlite uses, so no new native
// build): run, get and all, and `serial` so that one operation's statements never interleave with
// another's on the one connection.
//
// Why no BEGIN ... COMMIT spread over several calls: the sqlite3 package runs every call on libuv's
// threadpool (4 threads). Keyv's connection to the same file waits for the write lock inside a
// threadpool thread (its busy timeout), so while this connection held the lock across calls, a few
// of Keyv's writes filled the threadpool, this connection's next statement found no thread, and
// both sides stood still until Keyv's busy timeout (5 s) failed its writes: measured in the
// 500-mention burst, acks waited 5-20 s. `atomically` runs a whole transaction as one call.
import sqlite3 from 'sqlite3';
import { ensurePrivateFile } from '../private-file.js';

export type SqlValue = string | number | null;

export interface SqliteDb {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Runs `;`-separated statements without parameters, in one threadpool call. */
  exec(sql: string): Promise<void>;
  /** Runs fn after every operation queued before it, alone on the connection. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `statements` (SQL without parameters, `;`-separated) as one transaction in ONE threadpool
   * call, so the write lock is never held while this process waits for a thread (see the top).
   * ROLLBACK if one fails. Values come from temp tables filled before (they take no lock on the file).
   */
  atomically(statements: string): Promise<void>;
  close(): Promise<void>;
}

export async function openSqlite(file: string, busyTimeoutMs = 5000): Promise<SqliteDb> {
  ensurePrivateFile(file);
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
  });
  db.configure('busyTimeout', busyTimeoutMs);
  let tail: Promise<unknown> = Promise.resolve();

  const run = (sql: string, params: SqlValue[] = []) =>
    new Promise<{ changes: number }>((resolve, reject) => {
      db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes });
      });
    });
  const get = <T>(sql: string, params: SqlValue[] = []) =>
    new Promise<T | undefined>((resolve, reject) => {
      db.get<T>(sql, params, (error, row) => (error ? reject(error) : resolve(row)));
    });
  const all = <T>(sql: string, params: SqlValue[] = []) =>
    new Promise<T[]>((resolve, reject) => {
      db.all<T>(sql, params, (error, rows) => (error ? reject(error) : resolve(rows)));
    });
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      db.exec(sql, (error) => (error ? reject(error) : resolve()));
    });
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };

  return {
    run,
    get,
    all,
    exec,
    serial,
    atomically: async (statements) => {
      try {
        await exec(`BEGIN IMMEDIATE; ${statements}; COMMIT;`);
      } catch (error) {
        // exec stops at the failed statement, inside the transaction; if BEGIN itself failed there is
        // none, and ROLLBACK's "no transaction is active" is of no interest.
        await exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    close: () => serial(() => new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())))),
  };
}
