// The inbox in the sqlite file that holds the history (sqlite://, one process, or several worker
// processes that each take only their own threads' questions: InboxOptions.shard): tables beside
// Keyv's. Accepting writes the claims, the engaged mark and the append in one transaction, so a
// crash before its commit leaves nothing and Slack's retry is accepted. The checks before it read
// outside the transaction: every inbox operation of this (only) process runs in turn on its one
// connection (`serial`), so nothing else changes these tables in between. Which threads a worker holds
// lives in memory (one process: if it dies, so do its holds); the attempt count is written before
// the answer starts, so the restarted bot knows a question it takes again was interrupted.
import type { Question } from '../slack/intake/question.js';
import { groupCommit } from './group-commit.js';
import { openSqlite, type SqliteDb } from './sqlite-db.js';
import { questionId, type AcceptOptions, type AcceptResult, type Inbox, type InboxOptions, type QueuedQuestion, type TakenQuestion } from './types.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS intake_questions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     thread TEXT NOT NULL,
     body TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     accepted_at INTEGER NOT NULL,
     shard INTEGER NOT NULL DEFAULT 0)`,
  'CREATE INDEX IF NOT EXISTS intake_questions_thread ON intake_questions (thread, seq)',
  'CREATE TABLE IF NOT EXISTS intake_claims (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS intake_engaged (thread TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  // A batch's rows wait here (this connection's own temporary tables: no lock on the file) until
  // one call moves them into the tables above in one transaction (SqliteDb.atomically).
  'PRAGMA temp_store = MEMORY',
  'CREATE TEMP TABLE IF NOT EXISTS staged_claims (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  // engaged_until: the question's thread is the bot's until then (intake_engaged, written from here).
  'CREATE TEMP TABLE IF NOT EXISTS staged_questions (n INTEGER PRIMARY KEY, id TEXT NOT NULL, thread TEXT NOT NULL, body TEXT NOT NULL, accepted_at INTEGER NOT NULL, shard INTEGER NOT NULL, engaged_until INTEGER NOT NULL)',
];

const CLEAR_STAGE = 'DELETE FROM staged_claims; DELETE FROM staged_questions';
/**
 * Moves a staged batch into the inbox tables and empties the stage: one transaction, one threadpool
 * call (SqliteDb.atomically). Each round trip to sqlite's threads costs the main thread too, so the
 * engaged marks come from the staged questions rather than from a third staged table.
 */
const COMMIT_STAGED = [
  'INSERT OR REPLACE INTO intake_claims (id, expires_at) SELECT id, expires_at FROM staged_claims',
  'INSERT INTO intake_questions (id, thread, body, accepted_at, shard) SELECT id, thread, body, accepted_at, shard FROM staged_questions ORDER BY n',
  'INSERT OR REPLACE INTO intake_engaged (thread, expires_at) SELECT thread, MAX(engaged_until) FROM staged_questions GROUP BY thread',
  CLEAR_STAGE,
].join('; ');

/** Most questions accepted (or finished) in one batch (keeps each statement's parameters well under sqlite's limit). */
const MAX_BATCH = 200;
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
  await addShardColumn(db);
  const shard = options.shard;
  const prune = () => db.run('DELETE FROM intake_claims WHERE expires_at <= ?', [now()]);
  await prune();
  const held = new Map<string, number>(); // thread -> seq of the head a worker holds
  let accepts = 0;
  // Group commit (group-commit.ts): the accepts of a burst share one transaction, the finishes of
  // turns that end together one DELETE. A failed transaction fails every accept in it: none of them is acked.
  const acceptOne = groupCommit<Pending, AcceptResult>(db, MAX_BATCH, (batch) => acceptBatch(db, batch, options, now()));
  const finishOne = groupCommit<string, true>(db, MAX_BATCH, async (ids) => {
    await db.run(`DELETE FROM intake_questions WHERE id IN (${marks(ids)})`, ids);
    return ids.map(() => true);
  });

  /** The heads of up to `limit` threads no worker holds, oldest first, now held by the caller. */
  const takeMany = (limit: number) =>
    db.serial(async (): Promise<TakenQuestion[]> => {
      if (limit <= 0) return [];
      const busy = [...held.keys()];
      // One statement finds the heads and counts the attempt (RETURNING: sqlite 3.35+; the sqlite3
      // package bundles 3.44), so a take is one round trip. Counted before the answers start: a
      // crash during one shows as an interrupted attempt. RETURNING gives no order: sorted here.
      const rows = await db.all<Row>(
        `UPDATE intake_questions SET attempts = attempts + 1 WHERE seq IN (
           SELECT q.seq FROM intake_questions q
            WHERE q.seq = (SELECT MIN(seq) FROM intake_questions WHERE thread = q.thread)
              AND q.thread NOT IN (${marks(busy)})
              ${shard ? 'AND q.shard % ? = ?' : ''}
            ORDER BY q.seq LIMIT ?)
         RETURNING *`,
        [...busy, ...(shard ? [shard.count, shard.index] : []), limit],
      );
      rows.sort((a, b) => a.seq - b.seq);
      for (const row of rows) held.set(row.thread, row.seq);
      return rows.map((row) => ({ entry: entryOf(row), attempt: row.attempts, lost: NEVER_LOST }));
    });

  return {
    kind: 'sqlite',
    durable: true,
    async accept(question: Question, { ids, onlyIfEngaged }: AcceptOptions): Promise<AcceptResult> {
      const result = await acceptOne({ question, ids, onlyIfEngaged });
      if (++accepts % PRUNE_EVERY === 0) await db.serial(prune);
      return result;
    },
    takeMany,
    async take() {
      return (await takeMany(1))[0];
    },
    async finish(taken: TakenQuestion) {
      await finishOne(taken.entry.id);
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

interface Pending {
  question: Question;
  ids: string[];
  onlyIfEngaged: boolean;
}

/**
 * Accepts a batch in a handful of statements (alone on the connection: the caller's `serial`), in
 * arrival order: a question sees the claims and engaged marks of the ones before it in the batch.
 * Few statements matter: each is a round trip to sqlite's worker thread.
 */
async function acceptBatch(db: SqliteDb, batch: Pending[], options: InboxOptions, at: number): Promise<AcceptResult[]> {
  const allIds = [...new Set(batch.flatMap((item) => item.ids))];
  const threads = [...new Set(batch.map((item) => item.question.key))];
  const questionIds = batch.map((item) => questionId(item.question));
  // The three lookups in one statement: one round trip.
  const found = await db.all<{ kind: 'claim' | 'engaged' | 'waiting'; id: string }>(
    `SELECT 'claim' AS kind, id FROM intake_claims WHERE id IN (${marks(allIds)}) AND expires_at > ?
     UNION ALL SELECT 'engaged', thread FROM intake_engaged WHERE thread IN (${marks(threads)}) AND expires_at > ?
     UNION ALL SELECT 'waiting', id FROM intake_questions WHERE id IN (${marks(questionIds)})`,
    [...allIds, at, ...threads, at, ...questionIds],
  );
  const idsOf = (kind: string) => new Set(found.filter((row) => row.kind === kind).map((row) => row.id));
  const claimed = idsOf('claim');
  const engaged = idsOf('engaged');
  const waitingIds = idsOf('waiting');
  const results: AcceptResult[] = [];
  const claims: string[] = [];
  const appended: Question[] = [];
  for (const { question, ids, onlyIfEngaged } of batch) {
    if (onlyIfEngaged && !engaged.has(question.key)) {
      results.push('not-engaged');
      continue;
    }
    // Every id is remembered, also a duplicate's: a third delivery under a new id is caught too.
    const seen = ids.some((id) => claimed.has(id)) || waitingIds.has(questionId(question));
    for (const id of ids) {
      claimed.add(id);
      claims.push(id);
    }
    if (seen) {
      results.push('duplicate');
      continue;
    }
    waitingIds.add(questionId(question));
    engaged.add(question.key);
    appended.push(question);
    results.push('accepted');
  }
  const unique = [...new Set(claims)];
  // Nothing to write (every message was not for the bot): no stage to fill or clear.
  if (unique.length === 0) return results;
  try {
    await db.run(`INSERT INTO staged_claims (id, expires_at) VALUES ${unique.map(() => '(?, ?)').join(', ')}`, unique.flatMap((id) => [id, at + options.claimTtlMs]));
    if (appended.length > 0) {
      await db.run(
        `INSERT INTO staged_questions (id, thread, body, accepted_at, shard, engaged_until) VALUES ${appended.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        appended.flatMap((q) => [questionId(q), q.key, JSON.stringify(q), at, options.shard?.hash(q.key) ?? 0, at + options.engagedTtlMs]),
      );
    }
    await db.atomically(COMMIT_STAGED); // empties the stage too
  } catch (error) {
    // A failed transaction rolled the stage's clearing back with it: the next batch starts empty.
    await db.exec(CLEAR_STAGE);
    throw error;
  }
  return results;
}

/** Files made before workers existed lack intake_questions.shard; their questions go to worker 0. */
async function addShardColumn(db: SqliteDb): Promise<void> {
  const columns = await db.all<{ name: string }>('PRAGMA table_info(intake_questions)');
  if (columns.some((column) => column.name === 'shard')) return;
  await db.run('ALTER TABLE intake_questions ADD COLUMN shard INTEGER NOT NULL DEFAULT 0').catch((error: unknown) => {
    // Another worker added it first.
    if (!(error instanceof Error && /duplicate column/i.test(error.message))) throw error;
  });
}

function marks(values: unknown[]): string {
  return values.map(() => '?').join(',');
}

function entryOf(row: Row): QueuedQuestion {
  return { id: row.id, thread: row.thread, question: JSON.parse(row.body) as Question, acceptedAt: row.accepted_at };
}
