// Scheduled strategies' side of the host: the snapshot `onTick` receives, built from the series read in
// place (on the engine's thread or in a strategy thread alike), and the policy for calling `onTick`.
import type { Logger } from '../../core/logger.ts';
import type { BarSeriesView } from '../../data/session-data.ts';
import type { Bar } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import type { BaseStrategy, Subscription, TickSnapshot } from '../base-strategy.ts';
import { LOGGED_ERRORS, messageOf } from './hooks.ts';
import type { MetricsWriter } from './metrics.ts';
import { checkSignalAt, SignalProblem } from './signal-check.ts';

/**
 * Returns the snapshot of a tick at `ts`: for each subscription, the latest bar closed at or before `ts`
 * (a bar stamped `ts` closes then, so it is in), keyed `symbol@interval`; a series without such a bar is
 * left out.
 */
export function tickSnapshot(
  ts: number,
  subscriptions: readonly Subscription[],
  view: (symbol: string, interval: Interval) => BarSeriesView | undefined,
): TickSnapshot {
  const bars: Record<string, Bar> = {};
  for (const [symbol, interval] of subscriptions) {
    const series = view(symbol, interval);
    if (series === undefined) continue;
    // A thread that lags a live feed may see bars published after the tick: those are not in it.
    let i = -1;
    while (series.time(i) > ts) i--;
    const bar = series.bar(i);
    if (bar !== undefined) bars[`${symbol}@${interval}`] = bar;
  }
  return { ts, bars };
}

/** What calling `onTick` needs besides the strategy. */
export interface TickCallOptions {
  readonly log: Logger;
  readonly metrics: MetricsWriter;
}

/**
 * Calls the strategy's `onTick` under the hook policy: an exception or a value that is not an array of
 * signals is the strategy's error (counted, the first ones logged), and each well-formed signal is pushed
 * as a clean copy into `into`. Returns how many were pushed.
 */
export function callOnTick(
  strategy: BaseStrategy,
  snapshot: TickSnapshot,
  into: Signal[],
  o: TickCallOptions,
): number {
  const at = `onTick(${new Date(snapshot.ts).toISOString()})`;
  const failed = (what: string): void => {
    if (o.metrics.error() <= LOGGED_ERRORS) o.log.error(`strategy ${strategy.name}: ${at} ${what}`);
  };
  let returned: unknown;
  try {
    returned = strategy.onTick?.(snapshot);
  } catch (e) {
    failed(`threw: ${messageOf(e)}`);
    o.metrics.untimed(0);
    return 0;
  }
  if (!Array.isArray(returned)) {
    o.metrics.invalidSignal();
    failed(`returned ${returned === null ? 'null' : typeof returned}, not an array of signals`);
    o.metrics.untimed(0);
    return 0;
  }
  let taken = 0;
  for (let i = 0; i < returned.length; i++) {
    const checked = checkSignalAt(returned, i);
    if (checked instanceof SignalProblem) {
      o.metrics.invalidSignal();
      failed(`returned an invalid signal (${i + 1} of ${returned.length}), dropped: ${checked.message}`);
      continue;
    }
    into.push(checked);
    taken++;
  }
  o.metrics.untimed(taken);
  return taken;
}
