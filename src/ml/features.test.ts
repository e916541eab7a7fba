import { describe, expect, it } from 'vitest';
import { Rsi } from '../indicators/rsi.ts';
import { readYahooDaily } from '../indicators/bars.fixture.ts';
import { MOMENTUM_FEATURES, MomentumFeatures } from './features.ts';

describe('MomentumFeatures on real daily closes (ORCL 1995-2014)', () => {
  const { close } = readYahooDaily('daily/orcl-1995-2014.txt');

  it('gives its first row on the 21st close, then one per close, each as recomputed from the closes', () => {
    const features = new MomentumFeatures();
    const rsi = new Rsi(14);
    let rows = 0;
    close.forEach((c, i) => {
      const r = rsi.update(c);
      const row = features.update(c);
      if (i < 20) {
        expect(row, `close ${i}`).toBeUndefined();
        return;
      }
      rows++;
      const window = close.slice(i - 19, i + 1);
      const sma = window.reduce((a, b) => a + b, 0) / 20;
      const rets = window.map((x, k) => x / close[i - 20 + k]! - 1);
      const meanRet = rets.reduce((a, b) => a + b, 0) / 20;
      const vol = Math.sqrt(rets.reduce((a, b) => a + (b - meanRet) ** 2, 0) / 20);
      const expected = [
        c / close[i - 1]! - 1,
        c / close[i - 5]! - 1,
        c / close[i - 20]! - 1,
        r / 100,
        c / sma - 1,
        vol,
      ];
      expect(row).toHaveLength(MOMENTUM_FEATURES.length);
      expected.forEach((v, j) =>
        expect(Math.abs(row![j]! - v), `${MOMENTUM_FEATURES[j]} at ${i}`).toBeLessThan(1e-12),
      );
    });
    expect(rows).toBe(close.length - 20);
  });

  it('returns a new array per close, so a row handed out is never changed afterwards', () => {
    const features = new MomentumFeatures();
    const rows = close.slice(0, 30).map((c) => features.update(c));
    const first = rows[20]!;
    const copy = Float64Array.from(first);
    expect(rows[21]).not.toBe(first);
    expect(first).toEqual(copy);
  });

  it('skips a row whose features are not finite (a zero close) instead of handing it to a model', () => {
    const features = new MomentumFeatures();
    const rows = [...close.slice(0, 25), 0, 0].map((c) => features.update(c));
    expect(rows[24]).toBeDefined();
    expect(rows[26]).toBeUndefined();
  });
});
