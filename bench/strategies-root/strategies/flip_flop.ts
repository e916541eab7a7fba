// Bench strategy: a signal on every bar (buy when flat, close when long), to time the live path to the broker.
import { BaseStrategy, baseStrategySchema, type Interval, type Signal } from 'tradeflow';

export const configSchema = baseStrategySchema;

/** A bench-only strategy that buys on one bar and closes on the next, so each bar raises one signal. */
export class FlipFlopStrategy extends BaseStrategy {
  #long = false;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    this.#long = !this.#long;
    return this.#long
      ? [{ symbol, action: 'BUY', quantity: this.config.position_size }]
      : [{ symbol, action: 'CLOSE' }];
  }
}
