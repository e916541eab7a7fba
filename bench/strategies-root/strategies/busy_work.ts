// Bench strategy: computes a calibrated amount of real CPU work per bar, to measure threads against inline.
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  type Interval,
  NO_SIGNALS,
  type Signal,
  type StrategyContext,
} from 'tradeflow';

/** Config of BusyWork: how many dependent square roots it computes per bar (the bench calibrates it). */
export const configSchema = baseStrategySchema.extend({
  work_iterations: z.number().int().min(0),
});

type Config = z.output<typeof configSchema>;

/**
 * Computes a chain of `iterations` dependent square roots seeded with `seed`: real CPU work that takes
 * the same time on any thread, unlike a loop on the clock, which would count time spent preempted as
 * work done.
 */
export function busyWork(iterations: number, seed: number): number {
  let x = seed;
  for (let i = 0; i < iterations; i++) x = Math.sqrt(x + i);
  return x;
}

/** A bench-only strategy that does a fixed amount of arithmetic per bar and never trades. */
export class BusyWorkStrategy extends BaseStrategy<Config> {
  readonly #bars = new Map<string, BarSeriesView>();
  /** Keeps the work's result alive so that the loop cannot be optimised away. */
  checksum = 0;

  override setup(ctx: StrategyContext): boolean {
    for (const symbol of this.config.symbols) this.#bars.set(symbol, ctx.bars(symbol, this.config.interval));
    return true;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const bars = this.#bars.get(symbol);
    if (bars) this.checksum += busyWork(this.config.work_iterations, bars.close(-1));
    return NO_SIGNALS;
  }
}
