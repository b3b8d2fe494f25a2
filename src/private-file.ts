// The SQLite file (history, inbox) holds every conversation: create it, and the folders leading to it,
// readable by the bot's OS user only (file 0600, new folders 0700). A folder that already exists keeps
// its mode (it may be the working directory or /tmp); a file that already exists keeps its mode too,
// since an admin may have chosen another on purpose. SQLite creates the -wal and -shm files with the
// permissions of the database file (sqlite.org/tempfiles.html, "the WAL file ... same permissions"),
// so creating the main file first covers them. Node's fs does all this; no library needed.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `file` (empty) and its missing folders, private to this user; leaves existing ones as they are. */
export function ensurePrivateFile(file: string): void {
  // SQLite's in-memory database has no file.
  if (file === ':memory:' || file === '') return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: PRIVATE_DIR_MODE });
  // 'a': create if missing, never truncate an existing database. The mode applies only on creation.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
}
