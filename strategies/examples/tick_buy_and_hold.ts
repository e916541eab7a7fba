// Example scheduled strategy: buy and hold, deciding on its ticks (`tick_interval`) instead of on bars.
import type { z } from 'zod';
import { BaseStrategy, baseStrategySchema, NO_SIGNALS, type Signal, type TickSnapshot } from 'tradeflow';

/** Config of TickBuyAndHold: only the common keys (symbols, interval, position_size). */
export const configSchema = baseStrategySchema;

type Config = z.output<typeof configSchema>;

/**
 * Buys `position_size` shares of each symbol on the first tick whose snapshot holds a bar of it, and holds
 * them to the end. Run it with a `tick_interval` in its entry; its bars only fill the snapshots.
 */
export class TickBuyAndHoldStrategy extends BaseStrategy<Config> {
  readonly #bought = new Set<string>();

  onBars(): readonly Signal[] {
    return NO_SIGNALS;
  }

  override onTick(snapshot: TickSnapshot): readonly Signal[] {
    let out: Signal[] | undefined;
    for (const symbol of this.symbols) {
      if (this.#bought.has(symbol) || !snapshot.bars[`${symbol}@${this.config.interval}`]) continue;
      this.#bought.add(symbol);
      (out ??= []).push({
        symbol,
        action: 'BUY',
        quantity: this.config.position_size,
        reason: 'buy and hold',
      });
    }
    return out ?? NO_SIGNALS;
  }
}
