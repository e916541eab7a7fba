// Example strategy: an SMA crossover, long while the fast average is above the slow one.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  CrossOver,
  type Interval,
  NO_SIGNALS,
  PerSymbol,
  type Signal,
  Sma,
} from 'tradeflow';

/** Config of SimpleMaCross: the two SMA periods and the bar quality below which it does not trade. */
export const configSchema = baseStrategySchema
  .extend({
    fast_period: z.number().int().min(1).default(10),
    slow_period: z.number().int().min(2).default(30),
    min_quality: z.number().min(0).max(100).default(0),
  })
  .refine((c) => c.fast_period < c.slow_period, {
    path: ['fast_period'],
    message: 'must be less than slow_period',
  });

type Config = z.output<typeof configSchema>;

interface SymbolState {
  readonly bars: BarSeriesView;
  readonly fast: Sma;
  readonly slow: Sma;
  readonly cross: CrossOver;
}

/**
 * Buys `position_size` shares when the fast SMA of close crosses above the slow one while flat, and
 * closes the position when it crosses back below. A cross needs the last non-zero difference to have
 * the other sign, so exact ties do not count as crosses.
 */
export class SimpleMaCrossStrategy extends BaseStrategy<Config> {
  readonly #state = new PerSymbol<SymbolState>(
    (symbol) => ({
      bars: this.ctx.bars(symbol, this.config.interval),
      fast: new Sma(this.config.fast_period),
      slow: new Sma(this.config.slow_period),
      cross: new CrossOver(),
    }),
    (s, close) => s.cross.update(s.fast.update(close), s.slow.update(close)),
  );

  override setup(): boolean {
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  onBars(symbol: string, interval: Interval): readonly Signal[] {
    const s = this.#state.get(symbol);
    const close = s.bars.close(-1);
    const cross = s.cross.update(s.fast.update(close), s.slow.update(close));
    if (cross === 0) return NO_SIGNALS;
    const { min_quality } = this.config;
    if (min_quality > 0 && this.ctx.getBarQuality(symbol, interval) < min_quality) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if (held === 0 && cross > 0) {
      return [
        {
          symbol,
          action: 'BUY',
          quantity: this.config.position_size,
          reason: 'fast SMA crossed above slow SMA',
        },
      ];
    }
    if (held > 0 && cross < 0)
      return [{ symbol, action: 'CLOSE', reason: 'fast SMA crossed below slow SMA' }];
    return NO_SIGNALS;
  }
}
