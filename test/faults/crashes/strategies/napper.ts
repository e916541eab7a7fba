// Fault fixture: a strategy that sleeps on every bar (without using the CPU) and trades all the time, so a
// CLI run lasts long enough to be killed mid-way, with orders, fills and trades in every stretch of it.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, type Signal } from 'tradeflow';

/** Config of the napper: how long it sleeps per bar, and the file where it writes how many bars it saw. */
export const configSchema = baseStrategySchema.extend({
  sleep_ms: z.number().finite().min(0),
  progress_file: z.string().min(1),
});

type Config = z.output<typeof configSchema>;

/** Sleeps `sleep_ms` per bar; buys when flat and closes after two bars; every 50 bars writes its count. */
export class NapperStrategy extends BaseStrategy<Config> {
  readonly #nap = new Int32Array(new SharedArrayBuffer(4));
  #bars = 0;
  #held = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    // Atomics.wait sleeps without spinning, so several runs can nap side by side on a small machine.
    Atomics.wait(this.#nap, 0, 0, this.config.sleep_ms);
    if (++this.#bars % 50 === 0) writeFileSync(this.config.progress_file, String(this.#bars));
    if (this.ctx.position(symbol) === 0) {
      this.#held = 0;
      return [{ symbol, action: 'BUY', quantity: 5, reason: 'flat' }];
    }
    return ++this.#held >= 2 ? [{ symbol, action: 'CLOSE', reason: 'held two bars' }] : [];
  }
}
