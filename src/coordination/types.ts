// What the Slack front needs so that replicas sharing one store behave like one bot: a claim, so a
// message is answered once however many times and wherever Slack delivers it, and a lock, so the
// turns of one thread run one after another with the history the previous one saved.

export interface LockOptions {
  /**
   * How long the lock outlives its holder if the holder stops renewing it (a crash, a kill -9, a
   * lost network). It is renewed every leaseMs / 3 while `fn` runs, so a long turn keeps it.
   */
  leaseMs?: number;
  /** How long to wait for the lock before giving up with LockTimeoutError. */
  waitMs?: number;
}

export interface Coordinator {
  /**
   * Claims every id for ttlMs. True only if none of them was claimed before (by anyone, in any
   * process): a message known by several ids (event id, channel + ts) is then answered once, even
   * when its deliveries share only one id. The ids of a refused claim are remembered as well, so a
   * later delivery under one of them is refused too.
   */
  claim(ids: string[], ttlMs: number): Promise<boolean>;
  /**
   * Runs fn holding the lock on key, waiting for it in arrival order. `signal` aborts if the lock
   * is lost while fn runs (its lease ran out and someone else may hold it now); the lock is
   * released when fn settles, whatever it did.
   */
  withLock<T>(key: string, fn: (signal: AbortSignal) => Promise<T>, options?: LockOptions): Promise<T>;
  /**
   * Sets `key` to `value` for ttlMs unless it holds a value already, atomically (Redis: one script;
   * one process: a synchronous map): of two callers racing, exactly one wins, and the other learns
   * the value that stands (two clicks on one approval, on one replica or two).
   */
  settle(key: string, value: string, ttlMs: number): Promise<Settled>;
  /**
   * Takes slot `member` of `key` for ttlMs if fewer than `limit` unexpired slots are taken there;
   * a member that holds a slot already keeps it (its expiry restarts) and is never counted twice.
   * False: the slots are full. Counters that replicas share (per-person limits).
   */
  takeSlot(key: string, member: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Gives a slot back before it expires. */
  freeSlot(key: string, member: string): Promise<void>;
  /** Stops renewing, gives up waits, and closes what the coordinator opened (never the shared store). */
  close(): Promise<void>;
}

/** What `settle` found: `value` is the one that stands; `won` when it is the caller's. */
export interface Settled {
  won: boolean;
  value: string;
}

/** A turn can take minutes (tools, long answers); a message behind it waits that long. */
export const DEFAULT_WAIT_MS = 15 * 60 * 1000;
/** Long enough that a busy event loop or a GC pause never loses it; short enough that a crash costs little. */
export const DEFAULT_LEASE_MS = 30_000;
