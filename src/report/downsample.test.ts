import { describe, expect, it } from 'vitest';
import { chartSeries, downsampleIndices } from './downsample.ts';

describe('downsampleIndices', () => {
  it('keeps every index of a short series', () => {
    expect(downsampleIndices([3, 1, 2], 5)).toStrictEqual([0, 1, 2]);
  });

  it('keeps the first, the last, and each bucket minimum and maximum in order', () => {
    // 10 points, 6 allowed: 2 buckets over the 8 inner points (indices 1-4 and 5-8).
    const values = [5, 1, 9, 2, 3, 4, 0, 8, 6, 7];
    expect(downsampleIndices(values, 6)).toStrictEqual([0, 1, 2, 6, 7, 9]);
  });

  it('keeps a long series under the limit with its global extremes and its ends', () => {
    let seed = 7;
    const values = Array.from(
      { length: 100_003 },
      () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647,
    );
    values[77_777] = -5;
    values[12_345] = 9;
    const idx = downsampleIndices(values, 5_000);
    expect(idx.length).toBeLessThanOrEqual(5_000);
    expect(idx.length).toBeGreaterThan(4_900);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(100_002);
    expect(idx).toContain(77_777);
    expect(idx).toContain(12_345);
    expect(idx.every((v, i) => i === 0 || v > (idx[i - 1] ?? Infinity))).toBe(true);
  });
});

describe('chartSeries', () => {
  it('gives seconds and a drawdown in percent below the running peak', () => {
    const equity = [
      { ts: 1_000, equity: 100, cash: 0 },
      { ts: 2_000, equity: 80, cash: 0 },
      { ts: 3_000, equity: 120, cash: 0 },
      { ts: 4_000, equity: 90, cash: 0 },
    ];
    expect(chartSeries(equity, 10)).toStrictEqual({
      equity: { t: [1, 2, 3, 4], v: [100, 80, 120, 90] },
      drawdown: { t: [1, 2, 3, 4], v: [0, -20, 0, -25] },
    });
  });
});
