// A small promise face over the sqlite3 package (the driver @keyv/sqlite uses, so no new native
// build): run, get and all, and `serial` so that one operation's statements (a transaction) never
// interleave with another's on the one connection.
import sqlite3 from 'sqlite3';

export type SqlValue = string | number | null;

export interface SqliteDb {
  run(sql: string, params?: SqlValue[]): Promise<{ changes: number }>;
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** Runs fn after every operation queued before it, alone on the connection. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs fn in a transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK if it throws), alone on the connection. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openSqlite(file: string, busyTimeoutMs = 5000): Promise<SqliteDb> {
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
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };

  return {
    run,
    get,
    all,
    serial,
    transaction: (fn) =>
      serial(async () => {
        await run('BEGIN IMMEDIATE');
        try {
          const result = await fn();
          await run('COMMIT');
          return result;
        } catch (error) {
          await run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () => serial(() => new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())))),
  };
}
