// The coded errors of tradeflow: the registry of codes and hints, the error class, and how one is printed.
import { escapeLines } from './escape.ts';

/**
 * One registry of coded errors. Each code has a short title and a hint that tells the user what to do;
 * `docs/errors.md` lists the same codes and a test keeps the two in sync.
 */
export const ERROR_CODES = {
  TF_ERR_CONFIG_INVALID: 'Fix the session config at the path named in the message.',
  TF_ERR_CONFIG_READ: 'Check that the config file exists and is valid JSON.',
  TF_ERR_DATA_FILE: 'Check the data file path and format in the session config.',
  TF_ERR_DATA_ROW:
    'Fix or remove the row, or set "on_bad_row": "skip" on the data source to skip and count such rows.',
  TF_ERR_STRATEGY_NOT_FOUND:
    'Check the "module" path: it is relative to the project root and names a file under strategies/.',
  TF_ERR_STRATEGY_INVALID:
    'A strategy module must export a class named after its file (simple_ma_cross.ts -> SimpleMaCrossStrategy) that extends BaseStrategy.',
  TF_ERR_STRATEGY_CONFIG:
    'Fix the strategy config at the path named in the message; the strategy module exports its schema.',
  TF_ERR_PATH_OUTSIDE:
    'Strategy modules and data files must really lie under strategies/ and data/: copy the file in rather than link to it.',
  TF_ERR_STRATEGY_DUPLICATE:
    'Strategy file names must be unique across all folders under strategies/: rename one of them.',
  TF_ERR_STORED_STRATEGY:
    'Check the name with `tradeflow strategies list`: add takes a new name, the other subcommands a stored one.',
  TF_ERR_STRATEGY_SETUP: 'The strategy refused to start; see the reason. Other strategies still run.',
  TF_ERR_NO_STRATEGIES: 'Enable at least one strategy whose setup succeeds.',
  TF_ERR_SUBSCRIPTION:
    'Subscribe only to symbols that a data source provides, at its interval or a larger one it can be aggregated into.',
  TF_ERR_CALENDAR: 'Use a known calendar name or define a custom session with open, close and timezone.',
  TF_ERR_STORAGE: 'Check that the output folder is writable and not used by another process.',
  TF_ERR_ORDER_REJECTED: 'The order was not accepted; see the reason.',
  TF_ERR_ORDER_REF:
    'Cancel or replace an order by the ref ctx.order returned (or the one onOrder reported); refs name orders of the same strategy only.',
  TF_ERR_TICKER_UNKNOWN:
    'Use a ticker the server knows (GET /api/tickers lists them); the screen records this ticker as an error and goes on.',
  TF_ERR_TICKER_DATA:
    "The ticker has too few daily bars for the screener's periods (before as_of, when set): shorten the periods or pick a later date.",
  TF_ERR_REQUEST_INVALID:
    'Fix the request fields listed in "details" (each names its path); docs/api.md shows every request.',
  TF_ERR_UNAUTHORIZED:
    'Send "Authorization: Bearer <token>" with the token the server was started with (TRADEFLOW_API_TOKEN).',
  TF_ERR_UNSAFE_BIND:
    'Set TRADEFLOW_API_TOKEN to serve on an address other than loopback, or bind 127.0.0.1.',
  TF_ERR_TOO_MANY_RUNS: 'Wait for a run to finish or cancel one (POST .../cancel), then try again.',
  TF_ERR_RUN_NOT_FOUND: 'Check the run id; GET /api/strategies/runs lists the runs.',
  TF_ERR_RUN_STATE:
    'The run is not in a status that allows this; read its status from the progress endpoint.',
  TF_ERR_SESSION_STRATEGY_NOT_FOUND:
    'Check the strategy\'s name: GET /api/sessions/<id> lists the session\'s strategies under "strategies".',
  TF_ERR_RUN_ABORTED:
    "The run's thread ended before the run did (a strategy called process.exit, crashed its thread, or went over the server's --run-heap-mb); only this run failed. Fix the strategy, or raise the limit.",
  TF_ERR_STRATEGY_STATE:
    'The strategy is not in a state that allows this; read its status from engine.getMetrics().',
  TF_ERR_FEED_SYMBOL:
    'Use a symbol the exchange lists, spelt as it does (Binance: BTCUSDT); the message names the URL that refused it.',
  TF_ERR_FEED_UNREACHABLE:
    'Check the feed URL in the message and the network; the feed retries per live.reconnect before giving up.',
  TF_ERR_RESUME:
    'Resume an interrupted live run with the session it was started with: `tradeflow live <session.json> --resume <run_id>`; the message says what stands in the way.',
  TF_ERR_INTERNAL: 'This is a bug in tradeflow; please report it with the command that caused it.',
} as const;

/** A code from the error registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class of tradeflow: a literal code, a message that names the place, and an optional cause. */
export class TradeflowError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TradeflowError';
    this.code = code;
  }

  /** Returns what the user should do about this error. */
  get hint(): string {
    return ERROR_CODES[this.code];
  }
}

/** Returns true when `e` is a TradeflowError, optionally of the given code. */
export function isTradeflowError(e: unknown, code?: ErrorCode): e is TradeflowError {
  return e instanceof TradeflowError && (code === undefined || e.code === code);
}

/** Marks a branch the type checker proves unreachable (exhaustive switches). */
export function assertNever(value: never, what = 'value'): never {
  throw new TradeflowError('TF_ERR_INTERNAL', `unexpected ${what}: ${String(value)}`);
}

/** Formats an error for a terminal: code, message, and the hint on its own line. */
export function formatError(e: unknown): string {
  // Messages can quote file text: escaped so that no control byte or terminal escape is printed raw.
  if (e instanceof TradeflowError) return `${e.code}: ${escapeLines(e.message)}\n  hint: ${e.hint}`;
  if (e instanceof Error) return escapeLines(e.stack ?? e.message);
  return escapeLines(String(e));
}
