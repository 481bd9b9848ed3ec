import chalk from 'chalk';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Where log lines go (stderr: stdout is kept for results). */
  write: (line: string) => void;
  /** Human lines with colour on a terminal; one JSON object per line otherwise (cron, CI, pipes). */
  format: 'human' | 'json';
  level?: LogLevel;
  now: () => number;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions): Logger {
  const min = order[options.level ?? 'info'];
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (order[level] < min) return;
    if (options.format === 'json') {
      options.write(
        JSON.stringify({ time: new Date(options.now()).toISOString(), level, msg: message, ...fields }),
      );
      return;
    }
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const tag =
      level === 'error'
        ? chalk.red('error')
        : level === 'warn'
          ? chalk.yellow('warn')
          : level === 'debug'
            ? chalk.gray('debug')
            : chalk.cyan('info');
    options.write(`${tag} ${message}${extra ? ' ' + chalk.gray(extra) : ''}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that keeps lines in memory: for tests and in-process embedding. */
export function createMemoryLogger(): Logger & {
  lines: { level: LogLevel; msg: string; fields: LogFields }[];
} {
  const lines: { level: LogLevel; msg: string; fields: LogFields }[] = [];
  const push =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      lines.push({ level, msg, fields });
    };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
