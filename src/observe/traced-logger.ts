// Log lines written inside a traced turn carry its trace and span ids (OtelTracing.logFields), so a
// log line leads to its trace and back. Without tracing the logger is used as it is: no wrapper.
import type { LogFields, Logger } from '../log.js';
import type { Tracing } from './telemetry.js';

export function withTraceIds(logger: Logger, tracing: Pick<Tracing, 'logFields'>): Logger {
  const fields = (given?: LogFields): LogFields | undefined => {
    const ids = tracing.logFields();
    return ids ? { ...ids, ...given } : given;
  };
  return {
    debug: (msg, given) => logger.debug(msg, fields(given)),
    info: (msg, given) => logger.info(msg, fields(given)),
    warn: (msg, given) => logger.warn(msg, fields(given)),
    error: (msg, given) => logger.error(msg, fields(given)),
    child: (base) => withTraceIds(logger.child(base), tracing),
  };
}
