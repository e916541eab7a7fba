// Fault fixture: a companion strategy that trades on a fixed rhythm, so that its trades can be counted,
// and can be made to take a chosen time per bar (to keep a run going).
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** Config of the steady trader: a round trip every `every` bars, and a busy time per bar. */
export const configSchema = baseStrategySchema.extend({
  every: z.number().int().positive().default(10),
  busy_ms: z.number().min(0).default(0),
});

type Config = z.output<typeof configSchema>;

/** Buys on bar k * every and sells `every / 2` bars later. */
export class SteadyStrategy extends BaseStrategy<Config> {
  #n = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = this.#n++;
    if (this.config.busy_ms > 0) {
      const until = performance.now() + this.config.busy_ms;
      while (performance.now() < until);
    }
    const { every, position_size: quantity } = this.config;
    if (n % every === 0) return [{ symbol, action: 'BUY', quantity }];
    if (n % every === Math.floor(every / 2)) return [{ symbol, action: 'SELL', quantity }];
    return NO_SIGNALS;
  }
}
