// How the API app is built: its options, their defaults, and the safety rules they must pass.
import { TradeflowError } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';

/** How to build the API app. */
export interface AppOptions {
  /** The run database: a file (':memory:' in tests), opened and closed by the app, or a store the caller owns. */
  readonly db: string | ProgressStore;
  /**
   * Where screens find tickers' daily bars. Each screen runs in a worker thread, which builds the source
   * again from its `spec` (plain data: files, the synthetic universe, or a module's factory).
   */
  readonly tickerSource: TickerSource;
  /** Stamps runs (created, started, updated, ended); a TestClock in tests. */
  readonly clock: Clock;
  /** The API token; required when `host` is not loopback, checked on every /api call when set. */
  readonly token?: string | undefined;
  /** The address the server will listen on (default 127.0.0.1); the app itself never listens. */
  readonly host?: string;
  /** Screens and backtests running at once; one more is refused with 429 (default 4). */
  readonly maxConcurrentRuns?: number;
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Where strategies/ and data/ are (default: this checkout). */
  readonly projectRoot?: string;
  /**
   * The screeners by name (default: the bundled ones); one the registry lacks names the module a run's
   * thread imports it from (`ScreenerStrategy.module`).
   */
  readonly screeners?: Readonly<Record<string, ScreenerStrategy>>;
  readonly logger?: Logger;
  /** The most strategy entries one backtest request may name; more is a 400 (default 32). */
  readonly maxStrategiesPerRun?: number;
  /** The most data sources one backtest request may name; more is a 400 (default 100). */
  readonly maxDataSourcesPerRun?: number;
  /** The heap limit of each run's worker thread, in MiB; a run over it fails alone (default 1024). */
  readonly runHeapMb?: number;
  /**
   * How long a cancelled or interrupted run may take to stop before its thread is terminated, in ms
   * (default 3000).
   */
  readonly stopGraceMs?: number;
  /**
   * How long a backtest request's strategy modules may take to load and check, in a thread of their own,
   * before the request is refused (default 10000 ms).
   */
  readonly strategyCheckTimeoutMs?: number;
  /** Starts a run thread with the app, so that the first run does not wait for one (default false). */
  readonly prestartThread?: boolean;
}

/** The defaults of the optional settings. */
export const APP_DEFAULTS = {
  host: '127.0.0.1',
  maxConcurrentRuns: 4,
  bodyLimit: 1_048_576,
  maxStrategiesPerRun: 32,
  maxDataSourcesPerRun: 100,
  runHeapMb: 1024,
  stopGraceMs: 3000,
  strategyCheckTimeoutMs: 10_000,
} as const;

/** The bounds of the settings checked below: [option, least, most]. */
const INTEGER_BOUNDS = [
  ['maxConcurrentRuns', 1, Number.MAX_SAFE_INTEGER],
  ['maxStrategiesPerRun', 1, 10_000],
  ['maxDataSourcesPerRun', 1, 100_000],
  ['runHeapMb', 16, 1_048_576],
  ['stopGraceMs', 0, 600_000],
  ['strategyCheckTimeoutMs', 100, 600_000],
] as const;

/** The shortest token accepted: a guessable token on a network address is no protection. */
export const MIN_TOKEN_LENGTH = 16;

/** Returns true for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Checks the safety rules of the options: a token for a non-loopback host, and sane limits. */
export function checkAppOptions(o: AppOptions): void {
  const host = o.host ?? APP_DEFAULTS.host;
  if (o.token !== undefined && o.token.length < MIN_TOKEN_LENGTH) {
    throw new TradeflowError(
      'TF_ERR_UNSAFE_BIND',
      `the API token has ${o.token.length} characters; use at least ${MIN_TOKEN_LENGTH} (for example: openssl rand -hex 32)`,
    );
  }
  if (!isLoopbackHost(host) && o.token === undefined) {
    throw new TradeflowError(
      'TF_ERR_UNSAFE_BIND',
      `refusing to serve on ${host} without an API token: anyone who can reach it could run strategies; set TRADEFLOW_API_TOKEN or bind 127.0.0.1`,
    );
  }
  for (const [name, least, most] of INTEGER_BOUNDS) {
    const v = o[name] ?? APP_DEFAULTS[name];
    if (!Number.isInteger(v) || v < least || v > most) {
      const range = most === Number.MAX_SAFE_INTEGER ? `>= ${least}` : `from ${least} to ${most}`;
      throw new TradeflowError('TF_ERR_CONFIG_INVALID', `${name}: must be an integer ${range}, got ${v}`);
    }
  }
  const limit = o.bodyLimit ?? APP_DEFAULTS.bodyLimit;
  if (!Number.isInteger(limit) || limit < 1024) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `bodyLimit: must be an integer >= 1024 bytes, got ${limit}`,
    );
  }
}
