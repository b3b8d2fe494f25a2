// The ways coordination fails, as types the caller can tell apart: the shared store is out of
// reach (try later; nothing was decided), a lock was not free in time, or the coordinator is closed.

export class CoordinationUnavailableError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`coordination store unavailable: ${what}`, options);
    this.name = 'CoordinationUnavailableError';
  }
}

export class LockTimeoutError extends Error {
  constructor(readonly key: string, readonly waitedMs: number) {
    super(`lock "${key}" was not free after ${waitedMs} ms`);
    this.name = 'LockTimeoutError';
  }
}

export class CoordinatorClosedError extends Error {
  constructor() {
    super('the coordinator is closed: the bot is shutting down');
    this.name = 'CoordinatorClosedError';
  }
}

/** The lock's lease ran out while its holder was still working: another process may hold it now. */
export class LockLostError extends Error {
  /** What people read when a turn is stopped for this (the agent shows an abort reason's userMessage). */
  readonly userMessage = 'I lost my place in this thread (my shared store was out of reach for too long), so I stopped here. Please ask again.';

  constructor(readonly key: string) {
    super(`lock "${key}" was lost while held (its lease expired or was taken over)`);
    this.name = 'LockLostError';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
