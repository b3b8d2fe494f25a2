// Runs tasks one at a time per key (a Slack thread) and keys side by side: two messages in one thread
// are answered in the order they came, each with the history the previous one left, while other
// threads go on. A task that fails does not stop the ones queued after it. idle() and drain() let
// shutdown wait for the answers under way.

export interface KeyedQueueOptions {
  /** Told of every task that throws, with its key (the returned promise rejects as well). */
  onError?: (error: unknown, key: string) => void;
}

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is closed: the bot is shutting down');
    this.name = 'QueueClosedError';
  }
}

interface KeyState {
  tail: Promise<void>;
  size: number;
}

export class KeyedQueue {
  private readonly keys = new Map<string, KeyState>();
  private readonly idleWaiters = new Set<() => void>();
  private total = 0;
  private closed = false;

  constructor(private readonly options: KeyedQueueOptions = {}) {}

  /**
   * Runs `task` after every task queued before it under the same key. The promise settles with the
   * task's result or error; it is safe to leave unawaited (`void queue.run(...)`): a failure never
   * becomes an unhandled rejection, and goes to onError.
   */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    if (this.closed) {
      const refused = Promise.reject(new QueueClosedError());
      refused.catch(() => {});
      return refused;
    }
    const state = this.keys.get(key) ?? { tail: Promise.resolve(), size: 0 };
    this.keys.set(key, state);
    state.size += 1;
    this.total += 1;
    const result = state.tail.then(task);
    // The chain goes on whatever the task did; errors are isolated to its own promise.
    state.tail = result.then(
      () => this.finished(key, state),
      (error: unknown) => {
        this.options.onError?.(error, key);
        this.finished(key, state);
      },
    );
    result.catch(() => {}); // marks it handled; callers that await still see the rejection
    return result;
  }

  /** Tasks queued or running under `key`. */
  size(key: string): number {
    return this.keys.get(key)?.size ?? 0;
  }

  /** Tasks queued or running under all keys. */
  get pending(): number {
    return this.total;
  }

  /** Keys with work queued or running. */
  activeKeys(): string[] {
    return [...this.keys.keys()];
  }

  /** Resolves when no task is queued or running (at once if none is). */
  idle(): Promise<void> {
    if (this.total === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /**
   * For shutdown: refuses new tasks (they reject with QueueClosedError) and waits up to timeoutMs
   * for the running and queued ones. True if they all finished in time.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.idle().then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private finished(key: string, state: KeyState): void {
    state.size -= 1;
    this.total -= 1;
    if (state.size === 0 && this.keys.get(key) === state) this.keys.delete(key);
    if (this.total === 0) {
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    }
  }
}
