// Where the time of a start or a stop goes: each phase's duration and its end since the process
// started, at debug level ("start-up phase", "stop phase"), so a slow start or stop can be read from
// the log (LOG_LEVEL=debug).
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';

export interface PhaseClock {
  /** Logs `phase` when `work` settles: how long it took, and when it ended since the process started. */
  time<T>(phase: string, work: Promise<T>): Promise<T>;
  /** Logs a moment (no duration), e.g. "modules loaded". */
  mark(phase: string): void;
}

/** `of`: what the phases belong to, e.g. "start-up" or "stop". */
export function createPhaseClock(logger: Logger, of: string): PhaseClock {
  const msg = `${of} phase`;
  const sinceProcessStart = () => Math.round(performance.now());
  return {
    time(phase, work) {
      const started = performance.now();
      const log = (ok: boolean) => logger.debug(msg, { phase, ms: Math.round(performance.now() - started), atMs: sinceProcessStart(), ok });
      return work.then(
        (value) => {
          log(true);
          return value;
        },
        (error: unknown) => {
          log(false);
          throw error;
        },
      );
    },
    mark(phase) {
      logger.debug(msg, { phase, atMs: sinceProcessStart() });
    },
  };
}
