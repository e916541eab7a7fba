// Fixture sessions for the engine tests: minute bars in temp ohlcv files, run through the fixture
// project's strategies inline or in threads.
import { resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import type { BacktestResult } from '../src/report/result.ts';
import { tempFiles, wallTimeFree } from './helpers.ts';

/** A project root whose strategies/ holds only the engine tests' fixture strategies. */
export const FIXTURE_ROOT = resolve(import.meta.dirname, 'fixtures/project');
export const MIN = 60_000;
/** The first bar's open time: 2024-01-02 00:00 UTC. */
export const T0 = Date.UTC(2024, 0, 2);

/** One 1m bar as a row of an ohlcv file (stamped at its open). */
export interface BarRow {
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * `count` consecutive 1m bars from T0 whose open and close are `price(i)` and `price(i) + 0.5`; by default
 * a zigzag around 100, so that strategies see both rises and falls.
 */
export function minuteBars(
  count: number,
  price: (i: number) => number = (i) => 100 + ((i * 7) % 11),
): BarRow[] {
  return Array.from({ length: count }, (_, i) => {
    const open = price(i);
    const close = open + 0.5;
    return {
      time: new Date(T0 + i * MIN).toISOString().slice(0, 19).replace('T', ' '),
      open,
      high: close + 0.25,
      low: open - 0.25,
      close,
      volume: 100 + i,
    };
  });
}

/** Close time of the `i`th bar of `minuteBars` (bars are stamped with the time they close). */
export const closeOf = (i: number): number => T0 + (i + 1) * MIN;

export function ohlcvCsv(rows: readonly BarRow[]): string {
  const lines = rows.map((r) => `${r.time},${r.open},${r.high},${r.low},${r.close},${r.volume}`);
  return ['timestamp,open,high,low,close,volume', ...lines].join('\n') + '\n';
}

/** A strategy entry of a fixture session: a module under the fixture root's strategies/ and its entry keys. */
export interface FixtureStrategy {
  readonly module: string;
  readonly name?: string;
  readonly isolation?: 'auto' | 'thread' | 'inline';
  readonly queue_size?: number;
  readonly step_timeout_ms?: number;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Builds a session over temp ohlcv files (UTC, 24h calendar) running fixture strategies, with 100 000 cash
 * and no costs. Strategies run in threads unless their entry says otherwise: these sessions test the
 * thread machinery (a config's own default is `auto`).
 */
export function fixtureSession(o: {
  readonly data: Readonly<Record<string, readonly BarRow[]>>;
  readonly strategies: readonly FixtureStrategy[];
}): LoadedSession {
  const symbols = Object.keys(o.data);
  const dir = tempFiles(Object.fromEntries(symbols.map((s) => [`${s}.csv`, ohlcvCsv(o.data[s]!)])));
  const config = parseSessionConfig({
    name: 'threads-test',
    data: symbols.map((symbol) => ({
      symbol,
      file: resolve(dir, `${symbol}.csv`),
      format: 'ohlcv',
      calendar: '24h',
      interval: '1m',
    })),
    strategies: o.strategies.map((s) => ({ isolation: 'thread', ...s, module: `strategies/${s.module}` })),
  });
  return {
    config,
    name: 'threads-test',
    file: resolve(FIXTURE_ROOT, 'threads-test.json'),
    root: FIXTURE_ROOT,
  };
}

/** Returns a copy of the session with every strategy's isolation set to `isolation`. */
export function withIsolation(session: LoadedSession, isolation: 'thread' | 'inline'): LoadedSession {
  const strategies = session.config.strategies.map((s) => ({ ...s, isolation }));
  return { ...session, config: { ...session.config, strategies } };
}

/** Runs a backtest of the session; returns the outcome and the log. */
export async function runSession(session: LoadedSession, runId = 'threads') {
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({ session, runId, startedAt: 0, logger: log });
  return { ...outcome, log };
}

/** What `runSession` returns. */
export type SessionRun = Awaited<ReturnType<typeof runSession>>;

/** Returns a function that runs the session on its first call and hands every caller that run. */
export function runOnce(session: LoadedSession, runId?: string): () => Promise<SessionRun> {
  let run: Promise<SessionRun> | undefined;
  return () => (run ??= runSession(session, runId));
}

/**
 * The parts of a result that must not depend on where strategies run: everything but the run id, each
 * strategy's `isolation` (which says where it ran) and the figures that depend on wall time (`wallTimeFree`).
 */
export function isolationFree(result: BacktestResult) {
  const { strategies, ...rest } = wallTimeFree(result);
  return {
    ...rest,
    strategies: strategies.map(({ isolation: _isolation, ...s }) => s),
  };
}
