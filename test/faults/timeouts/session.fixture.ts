// Sessions for the time-limit and thread-limit fault tests: minute bars in temp files, run through the
// fault strategies of this folder (a hanging one, a steady trader, a hoarder) and a companion trader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../../../src/config/session-config.ts';
import { MemoryLogger } from '../../../src/core/logger.ts';
import { runBacktestWithResult } from '../../../src/report/backtest-outcome.ts';
import type { BacktestResult } from '../../../src/report/result.ts';
import { closeOf, minuteBars, ohlcvCsv } from '../../fixture-sessions.ts';
import { tempFiles } from '../../helpers.ts';

/** This folder: its strategies/ holds the fault strategies. */
export const FAULTS_ROOT = import.meta.dirname;

/** A strategy entry as the session config takes it (module relative to this folder). */
export type Entry = Readonly<Record<string, unknown>> & { readonly module: string };

/** The companion: a round trip every 10 bars on symbol A, in a thread or inline. */
export const steady = (isolation: 'inline' | 'thread' = 'inline'): Entry => ({
  module: 'strategies/steady',
  isolation,
  config: { symbols: ['A'], interval: '1m', every: 10 },
});

/** Writes `bars` minute bars of symbol A (and of B joining at bar `joinAt`, when given) to temp files. */
export function barFiles(bars: number, joinAt?: number): { dir: string; data: unknown[] } {
  const dir = tempFiles({ 'A.csv': ohlcvCsv(minuteBars(bars)) });
  const data: unknown[] = [
    { symbol: 'A', file: join(dir, 'A.csv'), format: 'ohlcv', interval: '1m', calendar: '24h' },
  ];
  if (joinAt !== undefined) {
    writeFileSync(join(dir, 'B.csv'), ohlcvCsv(minuteBars(bars, (i) => 50 + (i % 5))));
    data.push({
      symbol: 'B',
      file: join(dir, 'B.csv'),
      format: 'ohlcv',
      interval: '1m',
      calendar: '24h',
      join_at: new Date(closeOf(joinAt)).toISOString(),
    });
  }
  return { dir, data };
}

/** Builds a session over `bars` minute bars running `strategies` (modules under this folder). */
export function faultSession(o: {
  readonly bars: number;
  readonly strategies: readonly Entry[];
  readonly joinAt?: number;
}): LoadedSession {
  const { data } = barFiles(o.bars, o.joinAt);
  const config = parseSessionConfig({ name: 'faults', data, strategies: o.strategies }, 'faults');
  return { config, name: 'faults', file: join(FAULTS_ROOT, 'faults.json'), root: FAULTS_ROOT };
}

/** Runs a backtest of the session without a store; returns its result and log. */
export async function runFaultSession(session: LoadedSession): Promise<{
  result: BacktestResult;
  log: MemoryLogger;
}> {
  const log = new MemoryLogger();
  const { result } = await runBacktestWithResult({ session, runId: 'faults', startedAt: 0, logger: log });
  return { result, log };
}

/** Returns the trades of one strategy in a result, as plain values. */
export const tradesOf = (result: BacktestResult, strategy: string) =>
  result.trades.filter((t) => t.strategy === strategy);

/** Returns one strategy's entry in a result. */
export function strategyOf(result: BacktestResult, name: string) {
  const s = result.strategies.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no strategy ${name} in the result`);
  return s;
}
