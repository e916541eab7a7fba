// Bench strategy: records, for each bar, how long after its publication onBars was called.
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/**
 * Config of LatencyProbe: the publisher's stamps (Float64, ms on its `performance.now()` scale, one per
 * bar in publication order), where to write each bar's latency (Float64, microseconds), and the
 * publisher's `performance.timeOrigin`, which puts this thread's clock on the publisher's scale.
 */
export const configSchema = baseStrategySchema.extend({
  stamps: z.instanceof(SharedArrayBuffer),
  latencies: z.instanceof(SharedArrayBuffer),
  epoch_ms: z.number().finite(),
});

type Config = z.output<typeof configSchema>;

/**
 * A bench-only strategy that records, as the first thing in each onBars, how long ago the publisher
 * stamped that bar. The n-th call answers the n-th bar: the ring is FIFO and the bench never drops.
 */
export class LatencyProbeStrategy extends BaseStrategy<Config> {
  #stamps: Float64Array = new Float64Array(0);
  #latencies: Float64Array = new Float64Array(0);
  /** This thread's `performance.now()` origin minus the publisher's, in ms. */
  #offsetMs = 0;
  #calls = 0;

  override setup(): boolean {
    this.#stamps = new Float64Array(this.config.stamps);
    this.#latencies = new Float64Array(this.config.latencies);
    this.#offsetMs = performance.timeOrigin - this.config.epoch_ms;
    return true;
  }

  onBars(_symbol: string, _interval: Interval): readonly Signal[] {
    const nowMs = this.#offsetMs + performance.now();
    const k = this.#calls++;
    if (k < this.#latencies.length) this.#latencies[k] = (nowMs - this.#stamps[k]!) * 1000;
    return NO_SIGNALS;
  }
}
