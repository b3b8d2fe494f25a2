// The acks Slack is still waiting for (questions between arrival and their 200). Workers take no
// NEW question while any is in flight: the turns share this process's CPU with the acks, so in a
// burst the acks would otherwise queue behind the turns' work. Measured in the 500-mention burst
// test (everything in one process, 2 cores): ack p99 2.0-3.1 s with workers taking at once, 1.3-1.8 s
// with them waiting; with a CPU-bound process beside it, max 2.8 s against 2.1 s.
// A turn already running goes on; the wait is bounded (see workers.ts), so a steady stream of
// events cannot starve the turns.

export interface AcksInFlight {
  /** A question's ack is being held until it is in the inbox. */
  begin(): void;
  /** That ack went out (or never will: the inbox was out of reach). */
  end(): void;
  readonly count: number;
  /** Called each time the count falls back to 0. */
  onIdle(listener: () => void): void;
}

export function createAcksInFlight(): AcksInFlight {
  let count = 0;
  const listeners: (() => void)[] = [];
  return {
    begin() {
      count += 1;
    },
    end() {
      count -= 1;
      if (count === 0) for (const listener of listeners) listener();
    },
    get count() {
      return count;
    },
    onIdle(listener) {
      listeners.push(listener);
    },
  };
}
