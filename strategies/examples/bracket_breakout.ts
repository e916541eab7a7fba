// Example strategy: a breakout entry sent with its exits attached (a bracket: stop-loss and take-profit),
// sized from equity, and managed through its order events: it keeps the entry's ref and cancels an entry
// that has waited too long.
import { z } from 'zod';
import {
  BaseStrategy,
  baseStrategySchema,
  type Interval,
  NO_SIGNALS,
  type OrderUpdate,
  type Signal,
} from 'tradeflow';

/** Config of BracketBreakout. */
export const configSchema = baseStrategySchema.extend({
  /** Bars whose highest high the close must break. */
  lookback: z.number().int().min(2).default(20),
  /** The stop-loss below the entry, as a fraction of the entry price. */
  stop_loss_pct: z.number().positive().max(0.5).default(0.03),
  /** The take-profit above the entry, as a fraction of the entry price. */
  take_profit_pct: z.number().positive().max(10).default(0.06),
  /** The share of equity an entry buys. */
  fraction: z.number().positive().max(1).default(0.1),
  /** Bars an entry may wait unfilled before it is cancelled. */
  stale_bars: z.number().int().positive().default(3),
});

type Config = z.output<typeof configSchema>;

const cents = (x: number): number => Math.round(x * 100) / 100;

/** A working entry: its ref and the bar count when it was sent. */
interface Entry {
  readonly ref: string;
  readonly sentAt: number;
  cancelling: boolean;
}

/**
 * Buys a close above the highest high of the `lookback` bars before it with a limit order at that close,
 * carrying a stop-loss and a take-profit that work as an OCO pair once it fills. An entry still unfilled
 * after `stale_bars` bars is cancelled; its order events tell when it is gone.
 */
export class BracketBreakoutStrategy extends BaseStrategy<Config> {
  readonly #entries = new Map<string, Entry>();

  onBars(symbol: string, interval: Interval): readonly Signal[] {
    const bars = this.ctx.bars(symbol, interval);
    const { lookback, stale_bars } = this.config;
    if (bars.length <= lookback) return NO_SIGNALS;
    const entry = this.#entries.get(symbol);
    if (entry !== undefined) {
      if (entry.cancelling || bars.length - entry.sentAt < stale_bars) return NO_SIGNALS;
      entry.cancelling = true;
      return [this.ctx.cancel(entry.ref, 'stale entry')];
    }
    // Holding: the bracket's exits are working.
    if (this.ctx.position(symbol) !== 0) return NO_SIGNALS;
    let high = Number.NEGATIVE_INFINITY;
    for (let k = 2; k <= lookback + 1; k++) high = Math.max(high, bars.high(-k));
    const close = bars.close(-1);
    if (!(close > high)) return NO_SIGNALS;
    return this.#enter(symbol, close, bars.length);
  }

  #enter(symbol: string, price: number, sentAt: number): readonly Signal[] {
    const sized = this.ctx.targetPercent(symbol, this.config.fraction);
    if (sized === undefined || sized.action !== 'BUY' || sized.quantity === undefined) return NO_SIGNALS;
    const order = this.ctx.order({
      symbol,
      action: 'BUY',
      quantity: sized.quantity,
      orderType: 'limit',
      price,
      bracket: {
        stopLoss: cents(price * (1 - this.config.stop_loss_pct)),
        takeProfit: cents(price * (1 + this.config.take_profit_pct)),
      },
      reason: 'breakout',
    });
    this.#entries.set(symbol, { ref: order.ref, sentAt, cancelling: false });
    return [order];
  }

  /** Forgets an entry once it is no longer working: filled (its exits work now), cancelled or rejected. */
  override onOrder(update: OrderUpdate): void {
    const { order, event } = update;
    const entry = this.#entries.get(order.symbol);
    if (entry === undefined || order.ref !== entry.ref) return;
    if (event === 'filled' || event === 'cancelled' || event === 'rejected' || event === 'cancel_rejected') {
      this.#entries.delete(order.symbol);
    }
  }
}
