// Example strategy: buy and hold, the benchmark the others are measured against.
import type { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** Config of BuyAndHold: only the common keys (symbols, interval, position_size). */
export const configSchema = baseStrategySchema;

type Config = z.output<typeof configSchema>;

/** Buys `position_size` shares of each symbol on its first bar and holds them to the end: the benchmark. */
export class BuyAndHoldStrategy extends BaseStrategy<Config> {
  readonly #bought = new Set<string>();

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    if (this.#bought.has(symbol)) return NO_SIGNALS;
    this.#bought.add(symbol);
    return [{ symbol, action: 'BUY', quantity: this.config.position_size, reason: 'buy and hold' }];
  }
}
