// A backtest and its printed result in one call, for callers that want the result with the run's facts
// (the CLI, the API, tests and benchmarks).
import { type BacktestOptions, type BacktestRun, runBacktest } from '../engine/backtest.ts';
import { type BacktestResult, backtestResult } from './result.ts';

/** A backtest's facts and stopped engine, with the result shaped from the facts. */
export interface BacktestOutcome extends BacktestRun {
  readonly result: BacktestResult;
}

/** Runs a backtest (see `runBacktest`) and shapes its result. */
export async function runBacktestWithResult(o: BacktestOptions): Promise<BacktestOutcome> {
  const run = await runBacktest(o);
  return { ...run, result: backtestResult(run.facts) };
}
