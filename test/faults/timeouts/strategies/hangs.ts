// Fault fixture: a strategy that hangs in the hook its config names, forever, in the way it names.
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** Config of the hanging strategy: which hook hangs, and on which bar for `onBars`. */
export const configSchema = baseStrategySchema.extend({
  hang_in: z.enum([
    'setup_promise',
    'setup_loop',
    'teardown_promise',
    'teardown_loop',
    'symbol_added',
    'quality',
    'bars',
  ]),
  /** For `bars`: the notification (1-based) on which onBars never returns. */
  on_bar: z.number().int().positive().default(5),
});

type Config = z.output<typeof configSchema>;

/** Never settles, and holds nothing that keeps the process alive. */
const never = (): Promise<never> => new Promise(() => {});

/** Buys one share on its first bar; hangs where its config says. */
export class HangsStrategy extends BaseStrategy<Config> {
  #n = 0;
  /** Written in the loops so that they cannot be optimised away. */
  spins = 0;

  #spin(): never {
    this.ctx.log.warn(`${this.name}: looping`);
    for (;;) this.spins++;
  }

  override setup(): boolean | Promise<boolean> {
    if (this.config.hang_in === 'setup_promise') return never();
    if (this.config.hang_in === 'setup_loop') this.#spin();
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = ++this.#n;
    if (this.config.hang_in === 'bars' && n === this.config.on_bar) this.#spin();
    return n === 1 ? [{ symbol, action: 'BUY', quantity: 1 }] : NO_SIGNALS;
  }

  override onQualityUpdate(): void {
    if (this.config.hang_in === 'quality') this.#spin();
  }

  override onSymbolAdded(): void {
    if (this.config.hang_in === 'symbol_added') this.#spin();
  }

  override teardown(): void | Promise<void> {
    if (this.config.hang_in === 'teardown_promise') return never();
    if (this.config.hang_in === 'teardown_loop') this.#spin();
  }
}
