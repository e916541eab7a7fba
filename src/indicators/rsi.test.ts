import { RSI } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { Rsi } from './rsi.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { compareSeries, exactSum } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Rsi', () => {
  it('gives its first value on update period + 1, from simple averages of the first gains and losses', () => {
    const rsi = new Rsi(3);
    // Changes: +2, -1, +3 -> average gain 5/3, average loss 1/3.
    expect([10, 12, 11].map((x) => rsi.update(x))).toEqual([NaN, NaN, NaN]);
    expect(rsi.isReady).toBe(false);
    expect(rsi.update(14)).toBe(100 - 100 / (1 + exactSum([2, 0, 3]) / 3 / (exactSum([0, 1, 0]) / 3)));
    expect(rsi.value).toBeCloseTo(100 - 100 / 6, 12);
    expect(rsi.isReady).toBe(true);
    // Then Wilder smoothing: change -4 -> gain (5/3)(2/3), loss (1/3)(2/3) + 4/3.
    const gain = (5 / 3) * (2 / 3);
    const loss = (1 / 3) * (2 / 3) + 4 / 3;
    expect(rsi.update(10)).toBeCloseTo(100 - 100 / (1 + gain / loss), 12);
  });

  it('is 100 without losses, 0 without gains and 50 on a flat window', () => {
    const up = new Rsi(2);
    const down = new Rsi(2);
    const flat = new Rsi(2);
    for (const x of [1, 2, 3]) up.update(x);
    for (const x of [3, 2, 1]) down.update(x);
    for (const x of [5, 5, 5]) flat.update(x);
    expect([up.value, down.value, flat.value]).toEqual([100, 0, 50]);
    expect(flat.update(6)).toBe(100);
  });

  it('forgets everything on reset', () => {
    const rsi = new Rsi(2);
    for (const x of [1, 2, 3]) rsi.update(x);
    rsi.reset();
    expect(rsi.value).toBeNaN();
    expect([3, 2, 1].map((x) => rsi.update(x))).toEqual([NaN, NaN, 0]);
  });

  it.each(files)(
    'agrees with trading-signals RSI (Wilder, no adapter) to 1e-9 on every bar of %s',
    (file) => {
      const { close } = readYahooDaily(file);
      for (const period of [2, 14, 30]) {
        const ours = new Rsi(period);
        const theirs = new RSI(period);
        const result = compareSeries(
          close.map((x) => ours.update(x)),
          close.map((x) => theirs.add(x)),
        );
        expect(result.mismatches).toEqual([]);
        expect(result.firstIndex).toBe(period);
        expect(result.compared).toBe(close.length - period);
      }
    },
  );
});
