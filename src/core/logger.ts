// Logging: the Logger that collaborators receive instead of writing to the console, and the loggers that
// implement it (stderr, memory, silent).
import { escapeLines } from './escape.ts';

/** A minimal structured logger; collaborators receive one instead of writing to the console. */
export interface Logger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Level names in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Writes lines to stderr at or above `level` (stdout stays free for `--json` output). */
export function createStderrLogger(level: LogLevel = 'info'): Logger {
  const write = (
    lvl: Exclude<LogLevel, 'silent'>,
    msg: string,
    fields?: Readonly<Record<string, unknown>>,
  ) => {
    if (RANK[lvl] < RANK[level]) return;
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
    // Messages can quote strategy output or file text: escaped, so no byte reaches the terminal raw.
    process.stderr.write(`${lvl}: ${escapeLines(msg + extra)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** A logger that keeps records in memory, for tests and for reports. */
export class MemoryLogger implements Logger {
  readonly records: {
    level: Exclude<LogLevel, 'silent'>;
    msg: string;
    fields?: Readonly<Record<string, unknown>>;
  }[] = [];

  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.#push('debug', msg, fields);
  }
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.#push('info', msg, fields);
  }
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.#push('warn', msg, fields);
  }
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.#push('error', msg, fields);
  }

  #push(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.records.push(fields === undefined ? { level, msg } : { level, msg, fields });
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
