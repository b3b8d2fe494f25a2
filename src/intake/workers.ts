// The workers: take questions from the inbox and answer them, at most `max` at a time in this
// process, so a burst waits in the inbox instead of starving the event loop (and Slack's acks).
// They look for work when told (a question was accepted here, a turn ended) and every pollMs (a
// question accepted by another replica, a thread whose holder died).
import type { Logger } from '../log.js';
import type { AcksInFlight } from './acks-in-flight.js';
import type { Inbox, TakenQuestion } from './types.js';

/**
 * Longest a worker holds back a new question while acks are in flight (acks-in-flight.ts): past
 * this, a steady stream of events would starve the turns. Slack's own ack deadline: acks held
 * that long mean the process is overloaded anyway, and the answers must go on.
 */
export const MAX_ACK_YIELD_MS = 3000;

/** What became of a question a worker took. */
export type Outcome = 'finished' | 'released';

export interface WorkersOptions {
  inbox: Inbox;
  max: number;
  pollMs: number;
  /** Answers one question; 'released' gives it back unfinished (the bot is stopping). */
  handle: (taken: TakenQuestion) => Promise<Outcome>;
  /** While any is in flight, no new question is taken (up to MAX_ACK_YIELD_MS); woken when none is. */
  acks?: AcksInFlight;
  logger: Logger;
  now?: () => number;
}

export interface Workers {
  /** Starts looking for work (at once, then every pollMs). */
  start(): void;
  /** Looks for work now. */
  wake(): void;
  /** Turns being answered now. */
  readonly running: number;
  readonly max: number;
  /** Stops taking questions; resolves when the running turns end or after timeoutMs (false then). */
  stop(timeoutMs: number): Promise<boolean>;
}

export function createWorkers(options: WorkersOptions): Workers {
  const { inbox, logger, acks } = options;
  const now = options.now ?? Date.now;
  let running = 0;
  let yieldingSince: number | undefined;
  let stopped = false;
  let pumping = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const idleWaiters = new Set<() => void>();

  const settle = async (taken: TakenQuestion) => {
    let outcome: Outcome = 'finished';
    try {
      outcome = await options.handle(taken);
    } catch (error) {
      // handle tells the thread itself; this is the last guard, so the question never blocks its thread.
      logger.error('answer failed', { conversation: taken.entry.thread, error: messageOf(error) });
    }
    try {
      await (outcome === 'finished' ? inbox.finish(taken) : inbox.release(taken));
    } catch (error) {
      logger.warn('intake: could not update the inbox after a turn', { conversation: taken.entry.thread, error: messageOf(error) });
    }
  };

  const work = (taken: TakenQuestion) => {
    running += 1;
    void settle(taken).finally(() => {
      running -= 1;
      if (running === 0) for (const resolve of idleWaiters) resolve();
      wake();
    });
  };

  /** False while acks are in flight, for at most MAX_ACK_YIELD_MS in a row. */
  const acksAllow = (): boolean => {
    if (!acks || acks.count === 0) {
      yieldingSince = undefined;
      return true;
    }
    yieldingSince ??= now();
    return now() - yieldingSince >= MAX_ACK_YIELD_MS;
  };

  async function pump(): Promise<void> {
    while (!stopped && running < options.max && acksAllow()) {
      // Every free slot at once: one take a question would make a burst of N wait for N round
      // trips to the inbox one after another (measured: the 500th question of a burst reached the
      // model 14-37 s after it was acked, with the bot's CPU mostly idle).
      const wanted = options.max - running;
      const taken = await inbox.takeMany(wanted);
      for (const question of taken) work(question);
      // Fewer than asked for: nothing else waits now (a question accepted meanwhile wakes the
      // workers again), so no second round trip that would come back empty.
      if (taken.length < wanted) return;
    }
  }

  function wake(): void {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    void pump()
      .catch((error: unknown) => logger.warn('intake: could not take a question', { error: messageOf(error) }))
      .finally(() => {
        pumping = false;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  return {
    start() {
      acks?.onIdle(wake);
      timer = setInterval(wake, options.pollMs);
      timer.unref();
      wake();
    },
    wake,
    get running() {
      return running;
    },
    max: options.max,
    async stop(timeoutMs) {
      stopped = true;
      clearInterval(timer);
      if (running === 0) return true;
      let clock: NodeJS.Timeout | undefined;
      const idle = new Promise<true>((resolve) => idleWaiters.add(() => resolve(true)));
      const late = new Promise<false>((resolve) => (clock = setTimeout(() => resolve(false), timeoutMs)));
      try {
        return await Promise.race([idle, late]);
      } finally {
        clearTimeout(clock);
      }
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
