import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { METRICS_SLOTS, MetricsWriter, readHistogram } from '../strategy/host/metrics.ts';
import { BinnedHistogram, bucketBoundSeconds } from './binned-histogram.ts';
import { parsePrometheusText } from '../../test/prometheus-text.ts';

/** A metrics block holding one timed notification per duration (ms). */
function timings(...ms: number[]): Float64Array {
  const m = new Float64Array(METRICS_SLOTS);
  const w = new MetricsWriter(m);
  for (const t of ms) w.notification(t, 0);
  return m;
}

describe('readHistogram', () => {
  it('counts timings under each power of two of microseconds, cumulatively, from 1 us to 2^23 us', () => {
    // 1 us and less share the first bin; 3 us lies under 4 us; 1 ms (1000 us) under 1024 us.
    const h = readHistogram(timings(0.0005, 0.001, 0.003, 1, 1));
    expect(h.cumulative).toHaveLength(24);
    expect(h.cumulative.slice(0, 3)).toEqual([2, 2, 3]);
    expect(h.cumulative[9]).toBe(3); // 512 us
    expect(h.cumulative[10]).toBe(5); // 1024 us
    expect(h.cumulative[23]).toBe(5);
    expect(h.count).toBe(5);
    expect(h.sumMs).toBeCloseTo(2.0045, 12);
  });

  it('keeps a bound exclusive above 1 us (bins are half-open) and leaves clamped times to the total', () => {
    // Exactly 2 us starts the next bin, so it counts under 4 us, not under 2 us. 20 s is past the last
    // bin edge; the engine clamps it into the last bin, which no finite bucket includes.
    const h = readHistogram(timings(0.002, 20_000));
    expect(h.cumulative.slice(0, 3)).toEqual([0, 0, 1]);
    expect(h.cumulative[23]).toBe(1);
    expect(h.count).toBe(2);
  });
});

describe('BinnedHistogram', () => {
  it("serves a registry's histogram built from ready counts: buckets in seconds, +Inf, sum and count", async () => {
    const registry = new Registry();
    const block = timings(0.0005, 0.003, 1, 20_000);
    new BinnedHistogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['strategy'],
      registry,
      rows: () => [{ labels: { strategy: 'a"b' }, histogram: readHistogram(block) }],
    });
    const family = parsePrometheusText(await registry.metrics()).get('h_seconds');
    expect(family?.type).toBe('histogram');
    const samples = family?.samples ?? [];
    expect(samples.every((s) => s.labels['strategy'] === 'a"b')).toBe(true);
    const buckets = samples.filter((s) => s.name === 'h_seconds_bucket');
    expect(buckets.map((s) => s.labels['le'])).toEqual([
      ...Array.from({ length: 24 }, (_, k) => String(bucketBoundSeconds(k))),
      '+Inf',
    ]);
    expect(buckets.slice(0, 3).map((s) => s.value)).toEqual([1, 1, 2]);
    expect(buckets.find((s) => s.labels['le'] === '0.001024')?.value).toBe(3);
    expect(buckets.find((s) => s.labels['le'] === '8.388608')?.value).toBe(3);
    expect(buckets.at(-1)?.value).toBe(4);
    expect(samples.find((s) => s.name === 'h_seconds_count')?.value).toBe(4);
    expect(samples.find((s) => s.name === 'h_seconds_sum')?.value).toBeCloseTo(20.0010035, 9);
  });

  it('refuses a bad metric name or the reserved le label, as prom-client does', () => {
    const registry = new Registry();
    const base = { help: 'h', registry, rows: () => [] };
    expect(() => new BinnedHistogram({ ...base, name: 'bad-name', labelNames: [] })).toThrow(/metric name/);
    expect(() => new BinnedHistogram({ ...base, name: 'ok', labelNames: ['le'] })).toThrow(/label name/);
  });
});
