import { describe, expect, it } from 'vitest';
import { Rsi } from '../indicators/rsi.ts';
import { readYahooDaily } from '../indicators/bars.fixture.ts';
import {
  BREAKOUT_FEATURES,
  BreakoutFeatures,
  MEAN_REVERSION_FEATURES,
  MeanReversionFeatures,
} from './bar-features.ts';

const bars = readYahooDaily('daily/yhoo-1996-2014.txt');
const { close, high, low, volume } = bars;
const feed = (f: { update: BreakoutFeatures['update'] }, i: number) =>
  f.update(close[i]!, high[i]!, low[i]!, volume[i]!);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Equal up to 1e-12 of the larger magnitude (a z-score reaches tens, a return stays below one). */
const near = (got: number, want: number, what: string) =>
  expect(Math.abs(got - want), what).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));

describe('MeanReversionFeatures on real daily bars (YHOO 1996-2014)', () => {
  it('gives its first row on the 20th close, then one per close, each as recomputed from the closes', () => {
    const features = new MeanReversionFeatures();
    const rsi = new Rsi(14);
    let rows = 0;
    close.forEach((c, i) => {
      const r = rsi.update(c);
      const row = feed(features, i);
      if (i < 19) {
        expect(row, `close ${i}`).toBeUndefined();
        return;
      }
      rows++;
      const window = close.slice(i - 19, i + 1);
      const sma = mean(window);
      const std = Math.sqrt(mean(window.map((x) => (x - sma) ** 2)));
      const expected = [c / sma - 1, (c - sma) / std, r / 100, c / close[i - 1]! - 1, c / close[i - 5]! - 1];
      expect(row).toHaveLength(MEAN_REVERSION_FEATURES.length);
      expected.forEach((v, j) => near(row![j]!, v, `${MEAN_REVERSION_FEATURES[j]} at ${i}`));
    });
    expect(rows).toBe(close.length - 19);
  });

  it('skips a row that is not finite (20 equal closes have no deviation)', () => {
    const features = new MeanReversionFeatures();
    const rows = Array.from({ length: 25 }, () => features.update(10));
    expect(rows.every((r) => r === undefined)).toBe(true);
  });
});

describe('BreakoutFeatures on real daily bars (YHOO 1996-2014)', () => {
  it('gives its first row on the 21st bar, each against the 20 bars before it', () => {
    const features = new BreakoutFeatures();
    let rows = 0;
    close.forEach((c, i) => {
      const row = feed(features, i);
      if (i < 20) {
        expect(row, `bar ${i}`).toBeUndefined();
        return;
      }
      const prior = (xs: readonly number[]) => xs.slice(i - 20, i);
      const ranges = prior(high).map((h, k) => h - prior(low)[k]!);
      const expected = [
        c / Math.max(...prior(high)) - 1,
        c / Math.min(...prior(low)) - 1,
        (high[i]! - low[i]!) / mean(ranges),
        volume[i]! / mean(prior(volume)),
        c / close[i - 1]! - 1,
      ];
      if (!expected.every(Number.isFinite)) {
        expect(row, `bar ${i}`).toBeUndefined();
        return;
      }
      rows++;
      expect(row).toHaveLength(BREAKOUT_FEATURES.length);
      expected.forEach((v, j) => near(row![j]!, v, `${BREAKOUT_FEATURES[j]} at ${i}`));
    });
    expect(rows).toBe(close.length - 20);
  });

  it('flags a breakout above the prior high with a positive gap, and a volume surge as a ratio', () => {
    const features = new BreakoutFeatures();
    for (let i = 0; i < 20; i++) features.update(10, 11, 9, 1000);
    // Close 12 against a 20-bar high of 11 and low of 9; range 4 against 2; volume 3000 against 1000.
    expect(features.update(12, 13, 9, 3000)).toEqual(
      Float64Array.of(12 / 11 - 1, 12 / 9 - 1, 2, 3, 12 / 10 - 1),
    );
  });

  it('skips a row over zero volume instead of handing a model an infinite ratio', () => {
    const features = new BreakoutFeatures();
    for (let i = 0; i < 20; i++) features.update(10, 11, 9, 0);
    expect(features.update(10, 11, 9, 5)).toBeUndefined();
  });
});
