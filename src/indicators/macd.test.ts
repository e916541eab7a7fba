import { MACD } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { Ema } from './ema.ts';
import { Macd } from './macd.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { SmaSeededEMA, compareSeries } from './reference.fixture.ts';

const files = ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt'] as const;

describe('Macd', () => {
  it('defaults to 12 / 26 / 9 and is NaN until update slow + signal - 1', () => {
    const macd = new Macd();
    expect([macd.fast, macd.slow, macd.signalPeriod]).toEqual([12, 26, 9]);
    const values = Array.from({ length: 40 }, (_, i) => macd.update(10 + Math.sin(i)));
    expect(values.findIndex((v) => !Number.isNaN(v))).toBe(33);
    expect(macd.isReady).toBe(true);
  });

  it('combines three SMA-seeded EMAs: macd = fast - slow, signal = ema(macd), histogram = difference', () => {
    const macd = new Macd({ fast: 2, slow: 3, signal: 2 });
    const fast = new Ema(2);
    const slow = new Ema(3);
    const signal = new Ema(2);
    const inputs = [1, 4, 2, 8, 5, 7, 3];
    const seen: number[] = [];
    for (const x of inputs) {
      const m = fast.update(x) - slow.update(x);
      const s = Number.isNaN(m) ? NaN : signal.update(m);
      const value = macd.update(x);
      if (Number.isNaN(s)) {
        expect([value, macd.macd, macd.signal, macd.histogram]).toEqual([NaN, NaN, NaN, NaN]);
        expect(macd.isReady).toBe(false);
        continue;
      }
      expect([value, macd.value, macd.macd, macd.signal, macd.histogram]).toEqual([m, m, m, s, m - s]);
      seen.push(value);
    }
    expect(seen).toHaveLength(inputs.length - 3);
    macd.reset();
    expect([macd.isReady, macd.macd, macd.signal, macd.histogram]).toEqual([false, NaN, NaN, NaN]);
  });

  it('rejects fast >= slow', () => {
    let caught: unknown;
    try {
      new Macd({ fast: 26, slow: 12 });
    } catch (e) {
      caught = e;
    }
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
  });

  it.each(files)('agrees with trading-signals MACD built on SMA-seeded EMAs on every bar of %s', (file) => {
    const { close } = readYahooDaily(file);
    const ours = new Macd();
    const theirs = new MACD(new SmaSeededEMA(12), new SmaSeededEMA(26), new SmaSeededEMA(9));
    const macd: number[] = [];
    const signal: number[] = [];
    const histogram: number[] = [];
    const theirsMacd: (number | null)[] = [];
    const theirsSignal: (number | null)[] = [];
    const theirsHistogram: (number | null)[] = [];
    for (const x of close) {
      ours.update(x);
      macd.push(ours.macd);
      signal.push(ours.signal);
      histogram.push(ours.histogram);
      const r = theirs.add(x);
      // Before its signal EMA is seeded the adapter returns NaN: trading-signals' MACD then has no
      // complete result yet, which is our not-ready state.
      const ready = r !== null && !Number.isNaN(r.signal);
      theirsMacd.push(ready ? r.macd : null);
      theirsSignal.push(ready ? r.signal : null);
      theirsHistogram.push(ready ? r.histogram : null);
    }
    for (const [ourSeries, theirSeries] of [
      [macd, theirsMacd],
      [signal, theirsSignal],
      [histogram, theirsHistogram],
    ] as const) {
      const result = compareSeries(ourSeries, theirSeries);
      expect(result.mismatches).toEqual([]);
      expect(result.firstIndex).toBe(33);
      expect(result.compared).toBe(close.length - 33);
    }
  });
});
