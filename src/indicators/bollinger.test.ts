import { BollingerBands } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { Bollinger } from './bollinger.ts';
import { Sma } from './sma.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { compareSeries } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Bollinger', () => {
  it('uses the population standard deviation of the window', () => {
    const bands = new Bollinger(4, 2);
    expect([bands.period, bands.k]).toEqual([4, 2]);
    expect([2, 4, 4].map((x) => bands.update(x))).toEqual([NaN, NaN, NaN]);
    expect(bands.isReady).toBe(false);
    // Window 2, 4, 4, 6: mean 4, squared deviations 4 + 0 + 0 + 4, population sd sqrt(2).
    expect(bands.update(6)).toBe(4);
    expect([bands.value, bands.middle, bands.upper, bands.lower]).toEqual([
      4,
      4,
      4 + 2 * Math.SQRT2,
      4 - 2 * Math.SQRT2,
    ]);
    // Window 4, 4, 6, 4: mean 4.5, sd sqrt(0.75).
    bands.update(4);
    expect(bands.upper).toBe(4.5 + 2 * Math.sqrt(0.75));
    bands.reset();
    expect([bands.isReady, bands.middle, bands.upper, bands.lower]).toEqual([false, NaN, NaN, NaN]);
  });

  it('defaults to 20 periods and k = 2, and rejects a negative k', () => {
    const bands = new Bollinger();
    expect([bands.period, bands.k]).toEqual([20, 2]);
    let caught: unknown;
    try {
      new Bollinger(20, -1);
    } catch (e) {
      caught = e;
    }
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
  });

  it.each(files)('has a middle band bit for bit equal to Sma on %s', (file) => {
    const { close } = readYahooDaily(file);
    const bands = new Bollinger(20);
    const sma = new Sma(20);
    const differing = close.filter((x) => !Object.is(bands.update(x), sma.update(x)));
    expect(differing).toEqual([]);
  });

  it.each(files)('agrees with trading-signals BollingerBands to 1e-9 on every bar of %s', (file) => {
    const { close } = readYahooDaily(file);
    for (const [period, k] of [
      [20, 2],
      [10, 1.5],
    ] as const) {
      const ours = new Bollinger(period, k);
      const theirs = new BollingerBands(period, k);
      const series = { middle: [] as number[], upper: [] as number[], lower: [] as number[] };
      const reference = {
        middle: [] as (number | null)[],
        upper: [] as (number | null)[],
        lower: [] as (number | null)[],
      };
      for (const x of close) {
        ours.update(x);
        const r = theirs.add(x);
        for (const band of ['middle', 'upper', 'lower'] as const) {
          series[band].push(ours[band]);
          reference[band].push(r === null ? null : r[band]);
        }
      }
      for (const band of ['middle', 'upper', 'lower'] as const) {
        const result = compareSeries(series[band], reference[band]);
        expect(result.mismatches).toEqual([]);
        expect(result.firstIndex).toBe(period - 1);
        expect(result.compared).toBe(close.length - period + 1);
      }
    }
  });
});
