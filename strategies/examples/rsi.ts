import { z } from 'zod';
import { Rsi } from '../../src/indicators/index.ts';
import type { BarSeriesView } from '../../src/data/session-data.ts';
import type { Interval } from '../../src/model/interval.ts';
import { BaseStrategy, baseStrategySchema, NO_SIGNALS, type Signal } from '../../src/strategy/index.ts';

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
  readonly #state = new Map<string, { bars: BarSeriesView; rsi: Rsi }>();

  override setup(): boolean {
    for (const symbol of this.symbols) this.#track(symbol);
    return true;
  }

  /**
   * Starts following a symbol: at setup, or on its first bar after it joined the session, when the bars
   * before this one (its warm-up history) feed the indicators first.
   */
  #track(symbol: string, history = 0) {
    const state = {
      bars: this.ctx.bars(symbol, this.config.interval),
      rsi: new Rsi(this.config.period),
    };
    for (let i = 0; i < history; i++) {
      const close = state.bars.close(i);
      state.rsi.update(close);
    }
    this.#state.set(symbol, state);
    return state;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const s =
      this.#state.get(symbol) ?? this.#track(symbol, this.ctx.bars(symbol, this.config.interval).length - 1);
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
