// Example strategy: mean reversion on Bollinger bands, buying below the lower band and selling at the middle.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  Bollinger,
  type Interval,
  NO_SIGNALS,
  PerSymbol,
  type Signal,
} from 'tradeflow';

/** Config of MeanReversion: the Bollinger band period and width. */
export const configSchema = baseStrategySchema.extend({
  period: z.number().int().min(2).default(20),
  width: z.number().positive().default(2),
});

type Config = z.output<typeof configSchema>;

/** Buys a close below the lower Bollinger band while flat and closes when the close gets back to the middle band. */
export class MeanReversionStrategy extends BaseStrategy<Config> {
  readonly #state = new PerSymbol<{ bars: BarSeriesView; bands: Bollinger }>(
    (symbol) => ({
      bars: this.ctx.bars(symbol, this.config.interval),
      bands: new Bollinger(this.config.period, this.config.width),
    }),
    (s, close) => s.bands.update(close),
  );

  override setup(): boolean {
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const s = this.#state.get(symbol);
    const close = s.bars.close(-1);
    s.bands.update(close);
    if (!s.bands.isReady) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if (held === 0 && close < s.bands.lower) {
      return [
        { symbol, action: 'BUY', quantity: this.config.position_size, reason: 'close below the lower band' },
      ];
    }
    if (held > 0 && close >= s.bands.middle) {
      return [{ symbol, action: 'CLOSE', reason: 'close back at the middle band' }];
    }
    return NO_SIGNALS;
  }
}
