// The one factory of a strategy's context. The engine's thread and a strategy thread give it what they
// read from (the session's series, the account's state, the calendars); the rules and errors are here once.
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { TradingCalendar } from '../../data/calendar.ts';
import type { BarSeriesView, SeriesDescriptor } from '../../data/session-data.ts';
import { BarSeriesView as View } from '../../data/session-data.ts';
import { type SeriesKey, seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { StrategyContext } from '../base-strategy.ts';

/** Where a strategy's context reads from, on whichever thread the strategy runs. */
export interface ContextSource {
  readonly name: string;
  readonly log: Logger;
  /** Returns true when the strategy subscribes to the series `key` now (subscriptions change during a run). */
  subscribes(key: SeriesKey): boolean;
  /** Returns the series' shared columns, or undefined when the session has no such series. */
  series(symbol: string, interval: Interval): SeriesDescriptor | undefined;
  quality(symbol: string, interval: Interval): number;
  /** Returns the trading calendar of a symbol's data source, or undefined when no source provides it. */
  calendar(symbol: string): TradingCalendar | undefined;
  position(symbol: string): number;
  cash(): number;
  now(): number;
}

/**
 * Returns a strategy's context over `source`: views of the series it subscribes to, made once each and
 * reading the shared columns in place, and the rest read live. Asking for a series the strategy does not
 * subscribe to is TF_ERR_SUBSCRIPTION, even when another strategy's subscription created it.
 */
export function strategyContext(source: ContextSource): StrategyContext {
  const views = new Map<SeriesKey, BarSeriesView>();
  const { name } = source;
  return {
    name,
    log: source.log,
    bars(symbol: string, interval: Interval) {
      const key = seriesKey(symbol, interval);
      let view = views.get(key);
      // Checked on every call: a view made before a change of subscriptions must not outlive it.
      if (view === undefined || !source.subscribes(key)) {
        const series = source.subscribes(key) ? source.series(symbol, interval) : undefined;
        if (series === undefined) {
          throw new TradeflowError(
            'TF_ERR_SUBSCRIPTION',
            `strategy ${name} asked for ${symbol} at ${interval}, which it does not subscribe to; add it to getSubscriptions()`,
          );
        }
        view = new View(series);
        views.set(key, view);
      }
      return view;
    },
    getBarQuality: (symbol, interval) => source.quality(symbol, interval),
    sessionOf(symbol: string, tsMs: number) {
      const calendar = source.calendar(symbol);
      if (calendar === undefined) {
        throw new TradeflowError('TF_ERR_SUBSCRIPTION', `no data source provides ${symbol}`);
      }
      return calendar.dayKey(tsMs);
    },
    position: (symbol) => source.position(symbol),
    cash: () => source.cash(),
    now: () => source.now(),
  };
}
