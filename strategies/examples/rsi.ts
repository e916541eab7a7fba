// Example strategy: mean reversion on Wilder's RSI, buying oversold and selling overbought.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  type Interval,
  NO_SIGNALS,
  PerSymbol,
  Rsi,
  type Signal,
} from 'tradeflow';

/** Config of Rsi: the RSI period and the levels that open and close a position. */
export const configSchema = baseStrategySchema
  .extend({
    period: z.number().int().min(2).default(14),
    oversold: z.number().min(0).max(100).default(30),
    overbought: z.number().min(0).max(100).default(70),
  })
  .refine((c) => c.oversold < c.overbought, { path: ['oversold'], message: 'must be less than overbought' });

type Config = z.output<typeof configSchema>;

/** Mean reversion on Wilder's RSI: buys when RSI falls below `oversold` while flat, closes above `overbought`. */
export class RsiStrategy extends BaseStrategy<Config> {
  readonly #state = new PerSymbol<{ bars: BarSeriesView; rsi: Rsi }>(
    (symbol) => ({
      bars: this.ctx.bars(symbol, this.config.interval),
      rsi: new Rsi(this.config.period),
    }),
    (s, close) => s.rsi.update(close),
  );

  override setup(): boolean {
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const s = this.#state.get(symbol);
    const rsi = s.rsi.update(s.bars.close(-1));
    if (Number.isNaN(rsi)) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if (held === 0 && rsi < this.config.oversold) {
      return [
        {
          symbol,
          action: 'BUY',
          quantity: this.config.position_size,
          reason: `RSI ${rsi.toFixed(1)} below ${this.config.oversold}`,
        },
      ];
    }
    if (held > 0 && rsi > this.config.overbought) {
      return [{ symbol, action: 'CLOSE', reason: `RSI ${rsi.toFixed(1)} above ${this.config.overbought}` }];
    }
    return NO_SIGNALS;
  }
}
