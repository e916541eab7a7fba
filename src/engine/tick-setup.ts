// Scheduled strategies at assembly: a `tick_interval` needs an `onTick`, and the run's tick schedule is
// built from the strategies that started with one.
import { TradeflowError } from '../core/errors.ts';
import type { LoadedStrategy } from '../strategy/loader.ts';
import type { StrategyRunner } from '../strategy/host/runner.ts';
import type { DataProcessor } from './data-processor.ts';
import type { LoadedData } from './session-builder.ts';
import { type TickEntry, TickSchedule } from './tick-schedule.ts';

/** Fails with TF_ERR_CONFIG_INVALID, naming `strategies[i].tick_interval`, for a strategy that has no `onTick`. */
export function checkTickStrategies(strategies: readonly LoadedStrategy[]): void {
  for (const s of strategies) {
    if (s.entry.tick_interval === undefined || typeof s.strategy.onTick === 'function') continue;
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `strategies[${s.index}].tick_interval: strategy ${s.strategy.name} has no onTick method, so it cannot run on a schedule; remove tick_interval, or add onTick(snapshot) to the strategy`,
    );
  }
}

/**
 * Returns the tick schedule of the started strategies that have a `tick_interval`, from the run's first
 * bar to its last (a live run restarts it on the wall clock); undefined when none has one, so that a run
 * without scheduled strategies pays nothing for them.
 */
export function tickScheduleOf(
  strategies: readonly LoadedStrategy[],
  runners: readonly StrategyRunner[],
  processor: DataProcessor,
  loaded: LoadedData,
): TickSchedule | undefined {
  const entries: TickEntry[] = [];
  for (const runner of runners) {
    const intervalMs = strategies.find((s) => s.strategy.name === runner.name)?.entry.tick_interval;
    if (intervalMs !== undefined) entries.push({ runner, intervalMs });
  }
  if (entries.length === 0) return undefined;
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const source of loaded.sources) {
    const n = source.series.written;
    if (n > 0) lastMs = Math.max(lastMs, source.series.timeAt(n - 1));
  }
  return new TickSchedule(entries, processor.nextTime(), lastMs);
}
