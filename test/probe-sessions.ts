// Probe sessions for the kernel's tests: small ohlcv files in a temp folder, run through the probe
// strategy of the fixture project, which reports what it sees through the logger.
import { resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import type { Interval } from '../src/model/interval.ts';
import type { ProbeRecord } from './fixtures/project/strategies/probe.ts';
import { type BarRow, closeOf, FIXTURE_ROOT, MIN, ohlcvCsv, T0 } from './fixture-sessions.ts';
import { tempFiles } from './helpers.ts';

export { closeOf, FIXTURE_ROOT, MIN, T0 };
export type { BarRow };

/** Returns the row time of minute `m` after `startMs`. */
export function rowTime(startMs: number, m: number): string {
  return new Date(startMs + m * MIN).toISOString().slice(0, 19).replace('T', ' ');
}

/** Consecutive 1m bars from T0 (or `startMs`); high and low default to the range of open and close, volume to 100. */
export function minuteBars(
  specs: readonly (Partial<BarRow> & Pick<BarRow, 'open' | 'close'>)[],
  startMs = T0,
): BarRow[] {
  return specs.map((s, m) => ({
    time: rowTime(startMs, m),
    high: Math.max(s.open, s.close),
    low: Math.min(s.open, s.close),
    volume: 100,
    ...s,
  }));
}

/** Bars with open 100 + 2i and close 101 + 2i, so no close equals the next open. */
export function risingBars(count: number): BarRow[] {
  return minuteBars(Array.from({ length: count }, (_, i) => ({ open: 100 + 2 * i, close: 101 + 2 * i })));
}

export interface DataSpec {
  readonly symbol: string;
  readonly rows: readonly BarRow[];
  readonly interval?: Interval;
}

export interface ProbeSpec {
  readonly name: string;
  /** The probe's config; `symbols` defaults to ['X'] and `interval` to '1m'. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly enabled?: boolean;
}

/**
 * Builds a session over temp ohlcv files (UTC, 24h calendar, absolute paths) running probe strategies from
 * the fixture project, with 100 000 cash and no costs unless `broker` says otherwise.
 */
export function probeSession(o: {
  data?: readonly DataSpec[];
  strategies: readonly ProbeSpec[];
  broker?: Readonly<Record<string, unknown>>;
}): LoadedSession {
  const data = o.data ?? [{ symbol: 'X', rows: risingBars(4) }];
  const dir = tempFiles(Object.fromEntries(data.map((d) => [`${d.symbol}.csv`, ohlcvCsv(d.rows)])));
  const config = parseSessionConfig({
    name: 'kernel-test',
    data: data.map((d) => ({
      symbol: d.symbol,
      file: resolve(dir, `${d.symbol}.csv`),
      format: 'ohlcv',
      calendar: '24h',
      interval: d.interval ?? '1m',
    })),
    strategies: o.strategies.map((s) => ({
      module: 'strategies/probe',
      name: s.name,
      // The probe reports through the logger; inline keeps its records in order and at hand.
      isolation: 'inline',
      ...(s.enabled === undefined ? {} : { enabled: s.enabled }),
      config: { symbols: ['X'], interval: '1m', ...s.config },
    })),
    broker: o.broker ?? {},
  });
  return { config, name: 'kernel-test', file: resolve(FIXTURE_ROOT, 'kernel-test.json'), root: FIXTURE_ROOT };
}

/** Runs a backtest of the session; returns the outcome, the log and what the probes saw. */
export async function run(session: LoadedSession) {
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({ session, runId: 'kernel', startedAt: 0, logger: log });
  return { ...outcome, log, seen: probeRecords(log) };
}

export function probeRecords(log: MemoryLogger): ProbeRecord[] {
  return log.records.filter((r) => r.msg === 'probe').map((r) => r.fields as unknown as ProbeRecord);
}

/** Returns the error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

export const buy = (quantity: number, symbol = 'X') => [{ symbol, action: 'BUY', quantity }];
