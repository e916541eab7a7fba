// Fault fixture for the API: a well-behaved strategy that trades every 20th bar, the companion of a
// misbehaving one.
import type { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** Config of the steady strategy: only the common keys. */
export const configSchema = baseStrategySchema;

type Config = z.output<typeof configSchema>;

/** Buys on every 20th bar and sells 10 bars later: a known number of round trips. */
export class SteadyStrategy extends BaseStrategy<Config> {
  #n = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = ++this.#n;
    if (n % 20 === 0) return [{ symbol, action: 'BUY', quantity: this.config.position_size }];
    if (n % 20 === 10 && n > 10) return [{ symbol, action: 'SELL', quantity: this.config.position_size }];
    return NO_SIGNALS;
  }
}
