import { SMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { CrossOver } from './cross-over.ts';
import { Sma } from './sma.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { compareSeries, exactSum } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Sma', () => {
  it('is NaN until `period` inputs, then averages the last `period`', () => {
    const sma = new Sma(3);
    expect([sma.update(1), sma.update(2)]).toEqual([NaN, NaN]);
    expect(sma.isReady).toBe(false);
    expect(sma.update(6)).toBe(3);
    expect(sma.isReady).toBe(true);
    expect(sma.update(10)).toBe(6);
    expect(sma.value).toBe(6);
    sma.reset();
    expect(sma.isReady).toBe(false);
    expect(sma.value).toBeNaN();
    expect([sma.update(4), sma.update(4), sma.update(4)]).toEqual([NaN, NaN, 4]);
  });

  it('rejects a period that is not a positive integer', () => {
    for (const period of [0, -1, 2.5, NaN]) {
      let caught: unknown;
      try {
        new Sma(period);
      } catch (e) {
        caught = e;
      }
      expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    }
  });

  it('is NaN while a NaN is in the window and recovers when it leaves', () => {
    const sma = new Sma(2);
    expect([1, NaN, 3, 5].map((x) => sma.update(x))).toEqual([NaN, NaN, NaN, 4]);
  });

  it.each(files)('equals fsum(window) / period bit for bit on every bar of %s', (file) => {
    const { close } = readYahooDaily(file);
    for (const period of [10, 30]) {
      const sma = new Sma(period);
      let exactBars = 0;
      for (let i = 0; i < close.length; i++) {
        const value = sma.update(close[i]!);
        if (i < period - 1) continue;
        expect(value).toBe(exactSum(close.slice(i - period + 1, i + 1)) / period);
        exactBars++;
      }
      expect(exactBars).toBe(close.length - period + 1);
    }
  });

  it.each(files)('agrees with trading-signals SMA to 1e-9 on every bar of %s', (file) => {
    const { close } = readYahooDaily(file);
    for (const period of [10, 30, 200]) {
      const ours = new Sma(period);
      const theirs = new SMA(period);
      const result = compareSeries(
        close.map((x) => ours.update(x)),
        close.map((x) => theirs.add(x)),
      );
      expect(result.mismatches).toEqual([]);
      expect(result.firstIndex).toBe(period - 1);
      expect(result.compared).toBe(close.length - period + 1);
    }
  });
});

describe('Sma exactness on ORCL, SMA(10) vs SMA(30)', () => {
  const bars = readYahooDaily('daily/orcl-1995-2014.txt');
  const fast = new Sma(10);
  const slow = new Sma(30);
  const exactCross = new CrossOver();
  const naiveCross = new CrossOver();
  const ties: string[] = [];
  const tiesBrokenByNaiveSum: string[] = [];
  const exactCrosses: string[] = [];
  const naiveCrosses: string[] = [];
  let fastSum = 0;
  let slowSum = 0;
  for (let i = 0; i < bars.close.length; i++) {
    const x = bars.close[i]!;
    const date = bars.date[i]!;
    const f = fast.update(x);
    const s = slow.update(x);
    // The tempting O(1) alternative: one running sum, add the new close, subtract the one leaving.
    fastSum += x - (i >= 10 ? bars.close[i - 10]! : 0);
    slowSum += x - (i >= 30 ? bars.close[i - 30]! : 0);
    const naiveFast = i >= 9 ? fastSum / 10 : NaN;
    const naiveSlow = i >= 29 ? slowSum / 30 : NaN;
    if (f === s) {
      ties.push(date);
      if (naiveFast !== naiveSlow) tiesBrokenByNaiveSum.push(date);
    }
    const c = exactCross.update(f, s);
    if (c !== 0) exactCrosses.push(`${date} ${c}`);
    const n = naiveCross.update(naiveFast, naiveSlow);
    if (n !== 0) naiveCrosses.push(`${date} ${n}`);
  }

  it('finds the exact tie the reference reports (fast == slow)', () => {
    expect(ties.length).toBeGreaterThanOrEqual(1);
    expect(ties).toEqual(['2004-06-29']);
  });

  it('shows that a naive running sum breaks the tie', () => {
    expect(tiesBrokenByNaiveSum.length).toBeGreaterThanOrEqual(1);
    expect(tiesBrokenByNaiveSum).toEqual(ties);
  });

  it('shows that the broken tie moves a cross up by one day, as the reference warns', () => {
    expect(exactCrosses).toHaveLength(196);
    expect(naiveCrosses).toHaveLength(196);
    expect(exactCrosses.filter((c) => !naiveCrosses.includes(c))).toEqual(['2004-06-30 1']);
    expect(naiveCrosses.filter((c) => !exactCrosses.includes(c))).toEqual(['2004-06-29 1']);
  });
});
