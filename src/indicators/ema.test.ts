import { EMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { Ema } from './ema.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { SmaSeededEMA, compareSeries, exactSum } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Ema', () => {
  it('seeds with the simple average of the first `period` inputs, then smooths with 2 / (period + 1)', () => {
    const ema = new Ema(3);
    expect([ema.update(1), ema.update(2)]).toEqual([NaN, NaN]);
    expect(ema.isReady).toBe(false);
    expect(ema.update(6)).toBe(3);
    expect(ema.isReady).toBe(true);
    expect(ema.update(7)).toBe(3 * 0.5 + 7 * 0.5);
    expect(ema.update(1)).toBe(5 * 0.5 + 1 * 0.5);
    ema.reset();
    expect(ema.value).toBeNaN();
    expect([ema.update(2), ema.update(2), ema.update(2)]).toEqual([NaN, NaN, 2]);
  });

  it('takes its seed from the exact sum, as backtrader does', () => {
    const ema = new Ema(10);
    const inputs = Array<number>(10).fill(0.1);
    for (const x of inputs) ema.update(x);
    expect(ema.value).toBe(exactSum(inputs) / 10);
    expect(ema.value).toBe(0.1);
  });

  it.each(files)('agrees with trading-signals EMA, SMA-seeded, to 1e-9 on every bar of %s', (file) => {
    const { close } = readYahooDaily(file);
    for (const period of [10, 26, 50]) {
      const ours = new Ema(period);
      const theirs = new SmaSeededEMA(period);
      const result = compareSeries(
        close.map((x) => ours.update(x)),
        close.map((x) => theirs.add(x)),
      );
      expect(result.mismatches).toEqual([]);
      expect(result.firstIndex).toBe(period - 1);
      expect(result.compared).toBe(close.length - period + 1);
    }
  });

  it('differs from unadapted trading-signals EMA early on, only because of its first-input seed', () => {
    const { close } = readYahooDaily('daily/orcl-1995-2014.txt');
    const ours = new Ema(10);
    const theirs = new EMA(10);
    const gaps: number[] = [];
    for (const x of close) {
      const a = ours.update(x);
      theirs.add(x);
      if (theirs.isStable) gaps.push(Math.abs(a - theirs.getResultOrThrow()) / a);
    }
    expect(gaps[0]).toBeGreaterThan(1e-3);
    // The seed's weight decays as (1 - alpha)^n, so the conventions converge.
    expect(Math.max(...gaps.slice(200))).toBeLessThan(1e-12);
  });
});
