// Fault fixture: a strategy that keeps everything it allocates, on the V8 heap or off it (buffers).
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** Config of the hoarder: what it allocates on each bar, and how much. */
export const configSchema = baseStrategySchema.extend({
  memory: z.enum(['heap', 'offheap']),
  mb_per_bar: z.number().positive().default(4),
});

type Config = z.output<typeof configSchema>;

/** Buys one share on its first bar, then allocates `mb_per_bar` on each bar and never lets go. */
export class HoarderStrategy extends BaseStrategy<Config> {
  readonly #kept: unknown[] = [];
  #n = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const bytes = this.config.mb_per_bar * 1024 * 1024;
    if (this.config.memory === 'offheap') {
      // Filled, so that the pages are really taken.
      this.#kept.push(Buffer.alloc(bytes, 1));
    } else {
      // Small objects: V8 heap, never a backing store.
      const objects: { i: number; s: string }[] = [];
      for (let i = 0; i < bytes / 64; i++) objects.push({ i, s: `x${i}` });
      this.#kept.push(objects);
    }
    return this.#n++ === 0 ? [{ symbol, action: 'BUY', quantity: 1 }] : NO_SIGNALS;
  }
}
