// Bolt and its WebClient log through our structured logger, so their lines are JSON too and pass the
// same secret filter.
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../log.js';

export function boltLogger(logger: Logger, level: LogLevel = LogLevel.INFO): BoltLogger {
  let current = level;
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug(line(msg), { source: 'bolt' }),
    info: (...msg: unknown[]) => logger.info(line(msg), { source: 'bolt' }),
    warn: (...msg: unknown[]) => logger.warn(line(msg), { source: 'bolt' }),
    error: (...msg: unknown[]) => logger.error(line(msg), { source: 'bolt' }),
    setLevel: (next: LogLevel) => void (current = next),
    getLevel: () => current,
    setName: () => {},
  };
}
