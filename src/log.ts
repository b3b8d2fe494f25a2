// Structured JSON logs, one object per line on stderr. Fields only: never a token, a key or a full
// message body at info level (callers pass sizes and ids, not text). LOG_LEVEL picks the floor.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  /** Strings that must never reach the log (tokens, keys): replaced by "[redacted]" wherever they appear. */
  secrets?: string[];
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const floor = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (order[level] < floor) return;
    let line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, replacer);
    // includes() first: the split would copy every line that carries no secret (nearly all).
    for (const secret of secrets) if (line.includes(secret)) line = line.split(secret).join('[redacted]');
    write(line);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** A logger that drops everything, for tests and the terminal chat's quiet mode. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
