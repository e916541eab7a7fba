// What a strategy is: the base class every strategy extends, its common config, and the context the engine
// hands it.
import { z } from 'zod';
import { TradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { BarSeriesView } from '../data/session-data.ts';
import { INTERVALS, type Interval } from '../model/interval.ts';
import type { Bar } from '../model/bar.ts';
import type { Fill, Order, OrderUpdate } from '../model/order.ts';
import type { Signal } from '../model/signal.ts';

/** A bar stream a strategy listens to. */
export type Subscription = readonly [symbol: string, interval: Interval];

/** What the engine offers a strategy: bars in place, quality, its own positions, the clock, a logger. */
export interface StrategyContext {
  /** The strategy's instance name (unique in the session). */
  readonly name: string;
  /** Returns a read-only view of a subscribed series; bars are read in place, never copied. */
  bars(symbol: string, interval: Interval): BarSeriesView;
  /** Returns the share 0-100 of expected bars present so far for the series. */
  getBarQuality(symbol: string, interval: Interval): number;
  /** Returns this strategy's signed position in a symbol (0 when flat). */
  position(symbol: string): number;
  /** Returns the account's cash. */
  cash(): number;
  /** Returns the symbol's trading session (its local date as a day number) that a bar time falls in. */
  sessionOf(symbol: string, tsMs: number): number;
  /** Returns the current (simulated or wall) time in epoch ms. */
  now(): number;
  /** Returns the account's equity: cash plus positions marked at their last close. */
  equity(): number;
  /**
   * Returns a BUY or SELL signal with a fresh `ref` (unique among the strategy's orders); return it from
   * the hook to send it. Keep the ref to cancel or replace the order, or to know its events.
   */
  order(signal: OrderSignal): Signal & { readonly ref: string };
  /** Returns a CANCEL signal for the working order named `ref`. */
  cancel(ref: string, reason?: string): Signal;
  /** Returns a REPLACE signal giving the working order named `ref` a new price, trigger or quantity. */
  replace(ref: string, changes: { price?: number; stopPrice?: number; quantity?: number }): Signal;
  /**
   * Returns the strategy's working orders (of one symbol when named), as its `onOrder` events left them:
   * an order sent in a hook is listed from its `accepted` event on, delivered before the next hook.
   */
  openOrders(symbol?: string): readonly Order[];
  /** Returns the signal (or none) that takes the strategy's position in a symbol to `quantity` shares (signed). */
  targetQuantity(symbol: string, quantity: number, options?: SizingOptions): Signal | undefined;
  /**
   * Returns the signal (or none) that takes the position to `fraction` of equity (0.1 = 10 %, negative for
   * short), priced at the symbol's last close, in whole shares rounded toward zero unless `lot` says otherwise.
   */
  targetPercent(symbol: string, fraction: number, options?: SizingOptions): Signal | undefined;
  readonly log: Logger;
}

/** What `ctx.order` takes: a BUY or SELL signal without its ref (it may name its own, unique, ref). */
export type OrderSignal = Omit<Signal, 'action' | 'ref'> & {
  readonly action: 'BUY' | 'SELL';
  readonly ref?: string;
};

/** How sizing helpers build their signal. */
export interface SizingOptions {
  /** Shares per lot: the quantity is a whole number of lots, rounded toward zero (default 1). */
  readonly lot?: number;
  /** Order terms of the signal (default a market order). */
  readonly orderType?: Signal['orderType'];
  readonly price?: number;
  readonly reason?: string;
}

/** What `onTick` receives: the time of the tick and the latest closed bar of each subscribed series. */
export interface TickSnapshot {
  /** The tick's time (simulated in a backtest or replay, the wall clock live), epoch ms. */
  readonly ts: number;
  /** The latest bar of each subscribed series by `symbol@interval`, absent before its first bar. */
  readonly bars: Readonly<Record<string, Bar>>;
}

/**
 * Config keys every strategy understands; strategies extend this schema with their own. Strict, like the
 * session config, so a misspelt key (`fast_perod`) is an error instead of a silent default.
 */
export const baseStrategySchema = z
  .object({
    symbols: z.array(z.string().min(1)).min(1, 'needs at least one symbol'),
    interval: z.enum(INTERVALS).default('1d'),
    position_size: z.number().finite().positive().default(1),
    /** Also trade symbols that join the session mid-run (a data source's `join_at`, a scanner). */
    follow_added_symbols: z.boolean().optional(),
  })
  .strict();

/** The config every strategy receives. */
export type BaseStrategyConfig = z.output<typeof baseStrategySchema>;

/**
 * The base of every strategy. Lifecycle: `setup(ctx)` once (return false to refuse to start), then
 * `onBars(symbol, interval)` on each bar of a subscribed series, optional `onQualityUpdate` and
 * `onSymbolAdded`, and `teardown(ctx)` at the end. The code is the same inline or in a worker thread.
 */
export abstract class BaseStrategy<C extends BaseStrategyConfig = BaseStrategyConfig> {
  readonly config: C;
  readonly name: string;
  #ctx: StrategyContext | undefined;
  readonly #joined: string[] = [];

  constructor(config: C, name: string) {
    this.config = config;
    this.name = name;
  }

  /** Returns the context; available from `setup` on. */
  protected get ctx(): StrategyContext {
    if (!this.#ctx)
      throw new TradeflowError('TF_ERR_INTERNAL', `${this.name}: the context is not attached before setup`);
    return this.#ctx;
  }

  /** Attaches the context; the runner calls it once, before `setup`. */
  attach(ctx: StrategyContext): void {
    this.#ctx = ctx;
  }

  /**
   * Returns the symbols the strategy trades: the configured ones, then (with `follow_added_symbols`) those
   * that joined the session since, in the order they joined.
   */
  get symbols(): readonly string[] {
    return this.#joined.length === 0 ? this.config.symbols : [...this.config.symbols, ...this.#joined];
  }

  /**
   * The engine calls this when a symbol joins the session: `onSymbolAdded` runs, then the symbol is added
   * to `symbols` if the config follows added symbols. The engine reads `getSubscriptions()` right after,
   * and routes the strategy the bars of its new subscriptions from then on.
   */
  symbolJoined(symbol: string): void {
    this.onSymbolAdded?.(symbol);
    // After the hook: a strategy whose hook threw does not take the symbol up later either.
    if (this.config.follow_added_symbols === true && !this.symbols.includes(symbol)) {
      this.#joined.push(symbol);
    }
  }

  /**
   * Returns the (symbol, interval) pairs this strategy listens to; by default each of `symbols` at the
   * configured interval. Read at start and after a symbol joins (or when the engine is asked to update
   * subscriptions); a strategy whose subscriptions change over time returns the current ones.
   */
  getSubscriptions(): readonly Subscription[] {
    return this.symbols.map((s) => [s, this.config.interval] as const);
  }

  /** Prepares the strategy; returning false (or throwing) keeps it from starting, with the reason reported. */
  setup(_ctx: StrategyContext): boolean | Promise<boolean> {
    return true;
  }

  /** Reacts to a new bar of a subscribed series; returns signals (NO_SIGNALS when none). */
  abstract onBars(symbol: string, interval: Interval): readonly Signal[];

  /**
   * Hears of an event of one of the strategy's orders (accepted, filled in part or whole, cancelled,
   * rejected, replaced, a refused cancel or replace). A step's events come before its `onBars`.
   */
  onOrder?(update: OrderUpdate): void;

  /** Hears of a fill of one of the strategy's orders, after the order's `partially_filled`/`filled` event. */
  onFill?(fill: Fill): void;

  /** Runs every `tick_interval` of the strategy's entry; returns signals like `onBars`. */
  onTick?(snapshot: TickSnapshot): readonly Signal[];

  /** Receives a series' updated quality (0-100), once per closed session. */
  onQualityUpdate?(symbol: string, interval: Interval, quality: number): void;

  /**
   * Hears of a symbol that joined the session (its warm-up history is already readable once subscribed);
   * the new subscriptions, from `getSubscriptions()`, take effect right after this returns.
   */
  onSymbolAdded?(symbol: string): void;

  /** Releases what setup acquired; errors are logged and shutdown goes on. */
  teardown(_ctx: StrategyContext): void | Promise<void> {}
}

/** A strategy class as loaded from a module. */
export type StrategyClass = new (config: never, name: string) => BaseStrategy;
