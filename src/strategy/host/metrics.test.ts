import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../core/clock.ts';
import { MemoryLogger } from '../../core/logger.ts';
import type { Interval } from '../../model/interval.ts';
import { NO_SIGNALS, type Signal } from '../../model/signal.ts';
import { BaseStrategy } from '../base-strategy.ts';
import { METRICS_SLOTS, MetricsWriter, readHistogram, readMetrics, sharedMetrics } from './metrics.ts';
import { HookCaller, TIMED_WARMUP } from './hooks.ts';

/** A fresh block and its writer. */
function block() {
  const m = new Float64Array(METRICS_SLOTS);
  return { m, w: new MetricsWriter(m) };
}

/** Writes `count` timed notifications of `ms` each, without signals. */
function timed(w: MetricsWriter, count: number, ms: number): void {
  for (let i = 0; i < count; i++) w.notification(ms, 0);
}

/** The upper edge, in ms, of histogram bin `b` (8 bins per doubling from 1 us). */
const binUpperMs = (b: number) => 2 ** (b / 8) / 1000;

describe('readMetrics', () => {
  it('reads an empty block as zeros', () => {
    expect(readMetrics(new Float64Array(METRICS_SLOTS))).toEqual({
      notifications: 0,
      signals: 0,
      errors: 0,
      invalidSignals: 0,
      inferenceErrors: 0,
      overruns: 0,
      dropped: 0,
      avgMs: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });

  it('gives the p99 as the upper edge of the bin holding the 99th percentile', () => {
    // 0.5 ms = 500 us: 8 * log2(500) = 71.7, so bin 72, whose upper edge is 2^(72/8) us = 0.512 ms. 4 ms lands
    // in bin 96. Of 1005 timings the 995th (ceil(0.99 * 1005)) is still a 0.5 ms one.
    const { m, w } = block();
    timed(w, 1000, 0.5);
    timed(w, 5, 4);
    const r = readMetrics(m);
    expect(r.p99Ms).toBe(0.512);
    expect(r.p99Ms).toBe(binUpperMs(72));
    expect(r.maxMs).toBe(4);
    expect(r.avgMs).toBeCloseTo((1000 * 0.5 + 5 * 4) / 1005, 12);
    expect(r.notifications).toBe(1005);
  });

  it('caps the p99 at the largest timing when the percentile falls in the largest one’s bin', () => {
    // 102 timings: the 101st is a 4 ms one, in bin 96 (upper edge 4.096 ms); no timing exceeded 4 ms.
    const { m, w } = block();
    timed(w, 100, 0.5);
    timed(w, 2, 4);
    expect(readMetrics(m)).toMatchObject({ p99Ms: 4, maxMs: 4 });
    expect(readMetrics(m).avgMs).toBeCloseTo((100 * 0.5 + 2 * 4) / 102, 12);
  });

  it('keeps eight bins per doubling: 1 ms and 1.05 ms sit on either side of the 1.024 ms edge', () => {
    const below = block();
    timed(below.w, 100, 1);
    timed(below.w, 1, 50);
    // 8 * log2(1000) = 79.7: bin 80, upper edge 2^10 us.
    expect(readMetrics(below.m).p99Ms).toBe(1.024);

    const above = block();
    timed(above.w, 100, 1.05);
    timed(above.w, 1, 50);
    // 8 * log2(1050) = 80.3: bin 81, upper edge 2^(81/8) us = 1.1167 ms.
    expect(readMetrics(above.m).p99Ms).toBe(binUpperMs(81));
    expect(readMetrics(above.m).p99Ms).toBeCloseTo(1.11668, 5);
    expect(readMetrics(above.m).maxMs).toBe(50);
  });

  it('puts timings of a microsecond or less in the first bin, whose edge is 1 us', () => {
    const { m, w } = block();
    timed(w, 100, 0.0005);
    timed(w, 1, 3);
    expect(readMetrics(m)).toMatchObject({ p99Ms: 0.001, maxMs: 3 });
    expect(readMetrics(m).avgMs).toBeCloseTo((100 * 0.0005 + 3) / 101, 12);
  });

  it('counts untimed notifications and their signals, but averages only the timed ones (sampling)', () => {
    const { m, w } = block();
    for (let i = 0; i < 15; i++) w.untimed(1);
    w.notification(2, 3);
    expect(readMetrics(m)).toEqual({
      notifications: 16,
      signals: 18,
      errors: 0,
      invalidSignals: 0,
      inferenceErrors: 0,
      overruns: 0,
      dropped: 0,
      avgMs: 2,
      p99Ms: 2,
      maxMs: 2,
    });

    const untimedOnly = block();
    for (let i = 0; i < 5; i++) untimedOnly.w.untimed(0);
    expect(readMetrics(untimedOnly.m)).toMatchObject({ notifications: 5, avgMs: 0, p99Ms: 0, maxMs: 0 });
  });

  it('counts errors, overruns and drops, and returns the error count so far', () => {
    const { m, w } = block();
    expect([w.error(), w.error(), w.error()]).toEqual([1, 2, 3]);
    w.overrun();
    w.overrun();
    w.dropped();
    expect(readMetrics(m)).toMatchObject({ errors: 3, overruns: 2, dropped: 1, notifications: 0 });
  });

  it('reads a shared block in place: figures written through one view are seen through another', () => {
    const shared = sharedMetrics();
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.length).toBe(METRICS_SLOTS);
    // What a worker does with the block it received, and what the engine reads at any time.
    const writer = new MetricsWriter(new Float64Array(shared.buffer));
    const reader = new Float64Array(shared.buffer);
    writer.notification(0.25, 2);
    expect(readMetrics(reader)).toMatchObject({ notifications: 1, signals: 2, avgMs: 0.25, maxMs: 0.25 });
    writer.notification(0.75, 0);
    expect(readMetrics(reader)).toMatchObject({ notifications: 2, signals: 2, avgMs: 0.5, maxMs: 0.75 });
  });
});

/** Raises a HOLD on even calls, throws on every 5th, and is busy for 2 ms on call 272 (a sampled one). */
class SampledStrategy extends BaseStrategy {
  calls = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = ++this.calls;
    if (n === TIMED_WARMUP + 16) {
      const until = monotonicMs() + 2;
      while (monotonicMs() < until) {
        // Busy on a call the policy times after its warm-up.
      }
    }
    if (n % 5 === 0) throw new Error(`call ${n}`);
    return n % 2 === 0 ? [{ symbol, action: 'HOLD' }] : NO_SIGNALS;
  }
}

describe('the hook policy', () => {
  it('times each of the first 256 notifications, then one in 16, and counts every one with its signals and errors', () => {
    const log = new MemoryLogger();
    const strategy = new SampledStrategy({ symbols: ['X'], interval: '1m', position_size: 1 }, 'sampled');
    const metrics = sharedMetrics();
    const hooks = new HookCaller(strategy, log, new MetricsWriter(metrics));
    const calls = TIMED_WARMUP + 32;
    for (let i = 0; i < calls; i++) hooks.onBars('X', '1m');
    const r = readMetrics(metrics);
    let signals = 0;
    for (let n = 1; n <= calls; n++) if (n % 5 !== 0 && n % 2 === 0) signals++;
    expect(r).toMatchObject({ notifications: calls, signals, errors: Math.floor(calls / 5) });
    // Calls 272 and 288 are the sampled ones after the warm-up.
    expect(readHistogram(metrics).count).toBe(TIMED_WARMUP + 2);
    expect(r.maxMs).toBeGreaterThanOrEqual(2);
    // The first five errors are logged in full, the rest only counted.
    expect(log.records.map((l) => l.msg)).toEqual(
      [5, 10, 15, 20, 25].map((n) => `strategy sampled: onBars(X, 1m) threw: call ${n}`),
    );
  });
});
