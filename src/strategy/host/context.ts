// The one factory of a strategy's context. The engine's thread and a strategy thread give it what they
// read from (the session's series, the account's state, the calendars); the rules and errors are here once.
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { TradingCalendar } from '../../data/calendar.ts';
import type { BarSeriesView, SeriesDescriptor } from '../../data/session-data.ts';
import { BarSeriesView as View } from '../../data/session-data.ts';
import { type SeriesKey, seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { Order } from '../../model/order.ts';
import type { Signal } from '../../model/signal.ts';
import type { SizingOptions, StrategyContext } from '../base-strategy.ts';

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
  /** The strategy's first account's equity (cash plus positions at their last close). */
  equity(): number;
  /** A symbol's last close as the account marked it (NaN before its first bar). */
  lastClose(symbol: string): number;
  /** The strategy's working orders as its order events left them, in id order. */
  openOrders(): readonly Order[];
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
  /** The refs `order` gave (o1, o2, ...), and the symbol of each ref the strategy made. */
  let refs = 0;
  const symbolOfRef = new Map<string, string>();
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
    equity: () => source.equity(),
    now: () => source.now(),
    order(signal) {
      let ref = signal.ref;
      // A ref the strategy named itself, or a working order of a resumed run holds, is not given twice.
      while (ref === undefined || (signal.ref === undefined && refTaken(ref))) ref = `o${++refs}`;
      symbolOfRef.set(ref, signal.symbol);
      return { ...signal, ref };
    },
    cancel(ref, reason) {
      const symbol = symbolOf(ref);
      return reason === undefined
        ? { symbol, action: 'CANCEL', ref }
        : { symbol, action: 'CANCEL', ref, reason };
    },
    replace(ref, changes) {
      return { symbol: symbolOf(ref), action: 'REPLACE', ref, ...changes };
    },
    openOrders(symbol?: string) {
      const all = source.openOrders();
      return symbol === undefined ? all : all.filter((o) => o.symbol === symbol);
    },
    targetQuantity: (symbol, quantity, options) => toTarget(symbol, quantity, options),
    targetPercent(symbol, fraction, options) {
      const price = source.lastClose(symbol);
      if (!(price > 0)) {
        throw new TradeflowError(
          'TF_ERR_SUBSCRIPTION',
          `strategy ${name}: targetPercent(${symbol}) needs the symbol's last close, and it has none yet; call it once the symbol has a bar`,
        );
      }
      const equity = source.equity();
      if (!Number.isFinite(equity)) {
        throw new TradeflowError(
          'TF_ERR_INTERNAL',
          `strategy ${name}: targetPercent(${symbol}) found no equity to size from`,
        );
      }
      // The target in cents first, so that the shares are those a hand computation from the equity gives.
      const value = Math.round(fraction * equity * 100) / 100;
      return toTarget(symbol, value / price, options);
    },
  };

  /** The signal that takes the position to `target` shares, in whole lots toward zero; none when already there. */
  function toTarget(symbol: string, target: number, options: SizingOptions = {}): Signal | undefined {
    const lot = options.lot ?? 1;
    // A hair of tolerance: 1000 / 100 may land a float below 10, and a whole lot must not be lost to it.
    const lots = Math.trunc(target / lot + Math.sign(target) * 1e-9);
    const diff = lots * lot - source.position(symbol);
    if (Math.abs(diff) < 1e-12) return undefined;
    return {
      symbol,
      action: diff > 0 ? 'BUY' : 'SELL',
      quantity: Math.abs(diff),
      ...(options.orderType === undefined ? {} : { orderType: options.orderType }),
      ...(options.price === undefined ? {} : { price: options.price }),
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
  }

  function refTaken(ref: string): boolean {
    return symbolOfRef.has(ref) || source.openOrders().some((o) => o.ref === ref);
  }

  function symbolOf(ref: string): string {
    const symbol = symbolOfRef.get(ref) ?? source.openOrders().find((o) => o.ref === ref)?.symbol;
    if (symbol === undefined) {
      throw new TradeflowError(
        'TF_ERR_ORDER_REF',
        `strategy ${name}: no order named "${ref}"; name an order this strategy sent (ctx.order returns its ref, onOrder reports it)`,
      );
    }
    return symbol;
  }
}
