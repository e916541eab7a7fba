// Builders with defaults for the API's tests, and the types they read answers through (no test library here).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, monotonicMs, TestClock } from '../core/clock.ts';
import { bundledTickerSource, SyntheticTickerSource } from '../screener/ticker-source.ts';
import { buildApp, type TradeflowApp } from './app.ts';
import type { AppOptions } from './options.ts';

/** The start of the test clock: 2024-01-02T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 2);

let shared: SyntheticTickerSource | undefined;

/** Returns the bundled tickers and 1,000 synthetic ones (one source for all tests: files are read once). */
export function testTickers(): SyntheticTickerSource {
  shared ??= new SyntheticTickerSource(bundledTickerSource(), 1000);
  return shared;
}

/** Returns a fresh database path in a new temporary folder. */
export function tempDbPath(prefix = 'tradeflow-api-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'runs.db');
}

/** An app built by testApp: its test clock is at hand. */
export type TradeflowAppForTest = TradeflowApp & { readonly clock: TestClock };

/** Builds an app over an in-memory database, the test tickers and a test clock, with `overrides`. */
export function testApp(overrides: Partial<AppOptions> = {}): TradeflowAppForTest {
  const clock = overrides.clock instanceof TestClock ? overrides.clock : new TestClock(T0);
  const app = buildApp({ db: ':memory:', tickerSource: testTickers(), clock, ...overrides });
  return Object.assign(app, { clock });
}

/** An API token long enough for any server (32 characters). */
export const TEST_TOKEN = 'a-test-token-of-32-characters-xx';

/** Builds test apps and closes all of them at once: `afterEach(pool.closeAll)`. */
export class AppPool {
  readonly #apps: TradeflowAppForTest[] = [];

  /** Builds an app as `testApp` does, to be closed by `closeAll`. */
  readonly newApp = (overrides: Partial<AppOptions> = {}): TradeflowAppForTest =>
    this.keep(testApp(overrides));

  /** Keeps an app built otherwise, to be closed by `closeAll`. */
  keep(app: TradeflowAppForTest): TradeflowAppForTest {
    this.#apps.push(app);
    return app;
  }

  /** Closes every app built or kept since the last call. */
  readonly closeAll = async (): Promise<void> => {
    await Promise.all(this.#apps.splice(0).map((a) => a.close()));
  };
}

/** Returns `n` synthetic tickers, SYN0001 on. */
export function synthetic(n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, i) => `SYN${String(from + i).padStart(4, '0')}`);
}

/** Polls `probe` every 5 ms until it returns a value; fails after `ms`. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = monotonicMs() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (monotonicMs() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(5).promise;
  }
}

/** A ticker result as the API answers it (tests read answers through these types). */
export interface TickerJson {
  readonly position: number;
  readonly ticker: string;
  readonly status: 'ok' | 'error';
  readonly processed_at: string;
  readonly passed: boolean;
  readonly score: number | null;
  readonly classification?: string;
  readonly reasons?: readonly string[];
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A run's header as the API answers it. */
export interface RunJson {
  readonly run_id: string;
  readonly kind: 'screen' | 'backtest';
  readonly status: string;
  readonly strategy: string;
  readonly current_ticker: string | null;
  readonly completed: number;
  readonly total: number;
  readonly percent: number;
  readonly passed: number;
  readonly errors: number;
  readonly created_at: string;
  readonly started_at: string | null;
  readonly updated_at: string;
  readonly ended_at: string | null;
  readonly elapsed_ms: number;
  readonly error: string | null;
}

/** The answer of an asynchronous start (202). */
export interface AcceptedJson extends RunJson {
  readonly progress_url: string;
  readonly results_url: string;
  readonly cancel_url: string;
  readonly resumed_from?: number;
}

/** A run's progress. */
export interface ProgressJson extends RunJson {
  readonly last_results: readonly TickerJson[];
}

/** A whole screen. */
export interface ScreenJson extends RunJson {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly tickers: readonly string[];
  readonly results: readonly TickerJson[];
}

/** A whole backtest. */
export interface BacktestJson extends RunJson {
  readonly config: unknown;
  readonly result: {
    readonly status: string;
    readonly trades: readonly unknown[];
    readonly bars: number;
  } | null;
}

/** A page of runs. */
export interface ListJson {
  readonly runs: readonly RunJson[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
  readonly next_offset: number | null;
}

/** An error answer. */
export interface ErrorJson {
  readonly error: string;
  readonly code: string;
  readonly hint: string;
  readonly details?: readonly { readonly path: string; readonly message: string }[];
}
