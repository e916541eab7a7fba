import { ATR } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { Atr } from './atr.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { compareSeries } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Atr', () => {
  it('uses the previous close in the true range and seeds with the average of the first `period`', () => {
    const atr = new Atr(2);
    expect(atr.update(10, 8, 9)).toBeNaN(); // only supplies the previous close
    expect(atr.update(12, 10, 11)).toBeNaN(); // TR = max(12, 9) - min(10, 9) = 3
    expect(atr.isReady).toBe(false);
    expect(atr.update(11, 10, 10.5)).toBe(2); // TR = 1 -> (3 + 1) / 2
    expect(atr.isReady).toBe(true);
    expect(atr.update(20, 19, 19.5)).toBe(2 * 0.5 + 9.5 * 0.5); // gap up: TR = 20 - 10.5
    atr.reset();
    expect(atr.value).toBeNaN();
    expect([atr.update(2, 1, 1), atr.update(2, 1, 1), atr.update(2, 1, 1)]).toEqual([NaN, NaN, 1]);
  });

  it.each(files)('agrees with trading-signals ATR, aligned, to 1e-9 on every bar of %s', (file) => {
    const { high, low, close } = readYahooDaily(file);
    for (const period of [5, 14]) {
      const ours = new Atr(period);
      const theirs = new ATR(period);
      const oursSeries = high.map((h, i) => ours.update(h, low[i]!, close[i]!));
      // trading-signals takes high - low as the first bar's true range; we need a previous close. So
      // it skips bar 0 and sees bar 1 as the bar spanning the previous close, whose high - low is
      // bar 1's true range; from bar 2 on it gets the plain bars and uses the previous close itself.
      const theirsSeries = high.map((h, i) => {
        if (i === 0) return null;
        const c0 = close[0]!;
        const bar =
          i === 1 ? { high: Math.max(h, c0), low: Math.min(low[i]!, c0) } : { high: h, low: low[i]! };
        return theirs.add({ ...bar, close: close[i]! });
      });
      const result = compareSeries(oursSeries, theirsSeries);
      expect(result.mismatches).toEqual([]);
      expect(result.firstIndex).toBe(period);
      expect(result.compared).toBe(close.length - period);
    }
  });

  it('differs from unadapted trading-signals ATR early on, only because of the first true range', () => {
    const { high, low, close } = readYahooDaily('daily/nvda-1999-2014.txt');
    const ours = new Atr(14);
    const theirs = new ATR(14);
    const gaps: number[] = [];
    for (let i = 0; i < close.length; i++) {
      const a = ours.update(high[i]!, low[i]!, close[i]!);
      const b = theirs.add({ high: high[i]!, low: low[i]!, close: close[i]! });
      if (b !== null && !Number.isNaN(a)) gaps.push(Math.abs(a - b) / a);
    }
    expect(gaps[0]).toBeGreaterThan(1e-3);
    expect(Math.max(...gaps.slice(600))).toBeLessThan(1e-12);
  });
});
