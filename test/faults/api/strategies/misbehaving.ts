// Fault fixture for the API: a strategy that misbehaves in a chosen way on a chosen bar, to show that it
// takes down only its own run.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/**
 * Config of the misbehaving strategy: what it does, and on which notification (1-based).
 *
 * - `spin`: onBars never returns (nothing in the loop yields: only terminating its thread ends it);
 * - `exit`: onBars calls `process.exit(7)`;
 * - `hang_setup`: setup returns a promise that never settles;
 * - `hog`: onBars keeps 4 MiB more on every bar, up to `hog_mb` in all (then behaves).
 *
 * With `marker`, it writes that file just before it starts to misbehave, so a test knows it has.
 */
export const configSchema = baseStrategySchema.extend({
  how: z.enum(['spin', 'exit', 'hang_setup', 'hog']),
  on: z.number().int().positive().default(5),
  hog_mb: z.number().int().positive().default(512),
  marker: z.string().optional(),
});

type Config = z.output<typeof configSchema>;

/** Buys one share on its first notification, then misbehaves as its config says. */
export class MisbehavingStrategy extends BaseStrategy<Config> {
  #n = 0;
  /** Written in the loop so that it cannot be optimised away. */
  spins = 0;
  readonly #kept: number[][] = [];

  override setup(): boolean | Promise<boolean> {
    if (this.config.how !== 'hang_setup') return true;
    this.#mark();
    return new Promise<boolean>(() => {});
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = ++this.#n;
    if (n === this.config.on) this.#mark();
    if (n >= this.config.on) {
      switch (this.config.how) {
        case 'spin':
          for (;;) this.spins++;
        case 'exit':
          return process.exit(7);
        case 'hog':
          // Arrays of doubles live on the V8 heap, which the run's thread limits.
          if (this.#kept.length * 4 < this.config.hog_mb)
            this.#kept.push(new Array<number>(524_288).fill(n + 0.5));
          break;
        case 'hang_setup':
          break;
      }
    }
    return n === 1 ? [{ symbol, action: 'BUY', quantity: 1 }] : NO_SIGNALS;
  }

  #mark(): void {
    if (this.config.marker !== undefined) writeFileSync(this.config.marker, this.config.how);
  }
}
