// The inbox in the sqlite file that holds the history (sqlite://, one process): tables beside
// Keyv's. Accepting is one transaction (claims, the engaged check and mark, the append), so a
// crash before its commit leaves nothing and Slack's retry is accepted. Which threads a worker holds
// lives in memory (one process: if it dies, so do its holds); the attempt count is written before
// the answer starts, so the restarted bot knows a question it takes again was interrupted.
import type { Question } from '../slack/question.js';
import { openSqlite, type SqliteDb } from './sqlite-db.js';
import { questionId, type AcceptOptions, type AcceptResult, type Inbox, type InboxOptions, type QueuedQuestion, type TakenQuestion } from './types.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS intake_questions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     thread TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     accepted_at INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS intake_questions_thread ON intake_questions (thread, seq)',
  'CREATE TABLE IF NOT EXISTS intake_claims (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS intake_engaged (thread TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
];

/** Expired claims are deleted at open and after this many accepts. */
const PRUNE_EVERY = 500;
const NEVER_LOST = new AbortController().signal;

interface Row {
  seq: number;
  id: string;
  thread: string;
  body: string;
  attempts: number;
  accepted_at: number;
}

export async function createSqliteInbox(file: string, options: InboxOptions): Promise<Inbox> {
  const now = options.now ?? Date.now;
  const db = await openSqlite(file);
  for (const statement of SCHEMA) await db.run(statement);
  const prune = () => db.run('DELETE FROM intake_claims WHERE expires_at <= ?', [now()]);
  await prune();
  const held = new Map<string, number>(); // thread -> seq of the head a worker holds
  let accepts = 0;

  return {
    kind: 'sqlite',
    durable: true,
    async accept(question: Question, { ids, onlyIfEngaged }: AcceptOptions): Promise<AcceptResult> {
      const result = await db.transaction(() => acceptIn(db, question, ids, onlyIfEngaged, options, now()));
      if (++accepts % PRUNE_EVERY === 0) await db.serial(prune);
      return result;
    },
    take() {
      return db.serial(async () => {
        const busy = [...held.keys()];
        const row = await db.get<Row>(
          `SELECT * FROM intake_questions q
            WHERE q.seq = (SELECT MIN(seq) FROM intake_questions WHERE thread = q.thread)
              AND q.thread NOT IN (${busy.map(() => '?').join(',')})
            ORDER BY q.seq LIMIT 1`,
          busy,
        );
        if (!row) return undefined;
        // Counted before the answer starts: a crash during it shows as an interrupted attempt.
        await db.run('UPDATE intake_questions SET attempts = attempts + 1 WHERE seq = ?', [row.seq]);
        held.set(row.thread, row.seq);
        return { entry: entryOf(row), attempt: row.attempts + 1, lost: NEVER_LOST };
      });
    },
    async finish(taken: TakenQuestion) {
      await db.serial(() => db.run('DELETE FROM intake_questions WHERE id = ?', [taken.entry.id]));
      held.delete(taken.entry.thread);
    },
    release(taken: TakenQuestion) {
      held.delete(taken.entry.thread);
      return Promise.resolve();
    },
    async isEngaged(thread) {
      const row = await db.serial(() => db.get<{ expires_at: number }>('SELECT expires_at FROM intake_engaged WHERE thread = ?', [thread]));
      return (row?.expires_at ?? 0) > now();
    },
    async size() {
      const row = await db.serial(() => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM intake_questions'));
      return row?.n ?? 0;
    },
    close: () => db.close(),
  };
}

async function acceptIn(db: SqliteDb, question: Question, ids: string[], onlyIfEngaged: boolean, options: InboxOptions, at: number): Promise<AcceptResult> {
  if (onlyIfEngaged) {
    const engaged = await db.get<{ expires_at: number }>('SELECT expires_at FROM intake_engaged WHERE thread = ?', [question.key]);
    if ((engaged?.expires_at ?? 0) <= at) return 'not-engaged';
  }
  const marks = ids.map(() => '?').join(',');
  const seen = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM intake_claims WHERE id IN (${marks}) AND expires_at > ?`, [...ids, at]);
  // Every id is remembered, also a duplicate's: a third delivery under a new id is caught too.
  for (const id of ids) await db.run('INSERT OR REPLACE INTO intake_claims (id, expires_at) VALUES (?, ?)', [id, at + options.claimTtlMs]);
  if ((seen?.n ?? 0) > 0) return 'duplicate';
  const entry: QueuedQuestion = { id: questionId(question), thread: question.key, question, acceptedAt: at };
  const appended = await db.run('INSERT OR IGNORE INTO intake_questions (id, thread, body, accepted_at) VALUES (?, ?, ?, ?)', [entry.id, entry.thread, JSON.stringify(question), at]);
  if (appended.changes === 0) return 'duplicate'; // still waiting from a delivery whose claims ran out
  await db.run('INSERT OR REPLACE INTO intake_engaged (thread, expires_at) VALUES (?, ?)', [question.key, at + options.engagedTtlMs]);
  return 'accepted';
}

function entryOf(row: Row): QueuedQuestion {
  return { id: row.id, thread: row.thread, question: JSON.parse(row.body) as Question, acceptedAt: row.accepted_at };
}
