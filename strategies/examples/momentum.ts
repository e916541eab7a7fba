// Example strategy: time-series momentum, long while the return over a lookback is strong and the close is
// above its SMA.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  type Interval,
  NO_SIGNALS,
  PerSymbol,
  type Signal,
  Sma,
} from 'tradeflow';

/** Config of Momentum: the lookback and the return over it that opens a position. */
export const configSchema = baseStrategySchema.extend({
  lookback: z.number().int().min(2).default(20),
  entry_return: z.number().min(0).default(0.05),
});

type Config = z.output<typeof configSchema>;

/**
 * Time-series momentum: buys when the close has risen more than `entry_return` over `lookback` bars and
 * sits above its SMA of the same length; closes when the return over the lookback turns negative.
 */
export class MomentumStrategy extends BaseStrategy<Config> {
  readonly #state = new PerSymbol<{ bars: BarSeriesView; sma: Sma }>(
    (symbol) => ({
      bars: this.ctx.bars(symbol, this.config.interval),
      sma: new Sma(this.config.lookback),
    }),
    (s, close) => s.sma.update(close),
  );

  override setup(): boolean {
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const s = this.#state.get(symbol);
    const close = s.bars.close(-1);
    const sma = s.sma.update(close);
    const past = s.bars.close(-1 - this.config.lookback);
    if (Number.isNaN(sma) || Number.isNaN(past)) return NO_SIGNALS;
    const ret = close / past - 1;
    const held = this.ctx.position(symbol);
    if (held === 0 && ret > this.config.entry_return && close > sma) {
      return [
        {
          symbol,
          action: 'BUY',
          quantity: this.config.position_size,
          reason: `${(ret * 100).toFixed(1)} % over ${this.config.lookback} bars, above its SMA`,
        },
      ];
    }
    if (held > 0 && ret < 0) return [{ symbol, action: 'CLOSE', reason: 'momentum turned negative' }];
    return NO_SIGNALS;
  }
}
