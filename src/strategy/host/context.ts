import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { TradingCalendar } from '../../data/calendar.ts';
import type { BarSeriesView, SessionData } from '../../data/session-data.ts';
import type { Portfolio } from '../../execution/portfolio.ts';
import { seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { StrategyContext } from '../base-strategy.ts';

/** What an inline strategy's context reads from the engine. */
export interface InlineContextOptions {
  readonly name: string;
  readonly log: Logger;
  readonly data: SessionData;
  /** Returns true when the strategy subscribes to the series `key` now. */
  readonly subscribes: (key: string) => boolean;
  readonly quality: (symbol: string, interval: Interval) => number;
  readonly calendarOf: (symbol: string) => TradingCalendar;
  /** The account whose cash and positions the strategy reads. */
  readonly home: Portfolio;
  readonly now: () => number;
}

/**
 * The context of a strategy on the engine's thread: views of the series it subscribes to (made once,
 * reading the shared columns in place), the rest read live from the engine. A strategy thread builds
 * the same context over shared memory (strategy-worker.ts).
 */
export function inlineContext(o: InlineContextOptions): StrategyContext {
  const views = new Map<string, BarSeriesView>();
  return {
    name: o.name,
    log: o.log,
    bars: (symbol: string, interval: Interval) => {
      const key = seriesKey(symbol, interval);
      let v = views.get(key);
      // Checked on every call, as subscriptions can change during the run. A series existing in the session
      // is not enough: another strategy's subscription may have created it.
      if (!v || !o.subscribes(key)) {
        if (!o.subscribes(key) || !o.data.has(symbol, interval)) {
          throw new TradeflowError(
            'TF_ERR_SUBSCRIPTION',
            `strategy ${o.name} asked for ${symbol} at ${interval}, which it does not subscribe to; add it to getSubscriptions()`,
          );
        }
        v = o.data.view(symbol, interval);
        views.set(key, v);
      }
      return v;
    },
    getBarQuality: o.quality,
    sessionOf: (symbol: string, tsMs: number) => o.calendarOf(symbol).dayKey(tsMs),
    position: (symbol: string) => o.home.position(o.name, symbol),
    cash: () => o.home.cash,
    now: o.now,
  };
}
