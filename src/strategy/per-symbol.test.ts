import { describe, expect, it } from 'vitest';
import { BarSeries, BarSeriesView } from '../data/session-data.ts';
import { Sma } from '../indicators/sma.ts';
import { PerSymbol } from './per-symbol.ts';

function series(closes: readonly number[], published: number): BarSeriesView {
  const s = new BarSeries('X', '1m', { capacity: closes.length });
  closes.forEach((c, i) => s.write(60_000 * (i + 1), c, c, c, c, 1));
  s.publishTo(published);
  return new BarSeriesView(s.descriptor);
}

describe('PerSymbol', () => {
  it('makes a symbol state once, warmed up from the closes before the current bar', () => {
    const closes = [1, 2, 3, 4, 5, 6];
    const bars = series(closes, 5);
    let made = 0;
    const states = new PerSymbol(
      () => {
        made++;
        return { bars, sma: new Sma(3) };
      },
      (s, close) => s.sma.update(close),
    );
    const s = states.get('X');
    // Bars 0..3 are history (bar 4 is the current one): the SMA stands at (2 + 3 + 4) / 3.
    expect(s.sma.value).toBe(3);
    expect(s.sma.update(bars.close(-1))).toBe(4);
    expect(states.get('X')).toBe(s);
    expect(made).toBe(1);
  });

  it('warms up nothing when nothing is published yet (at setup), or without a warm-up function', () => {
    const fed: number[] = [];
    const atSetup = new PerSymbol(
      () => ({ bars: series([1, 2, 3], 0) }),
      (_s, close) => fed.push(close),
    );
    atSetup.get('X');
    expect(fed).toEqual([]);
    const plain = new PerSymbol(() => ({ bars: series([1, 2, 3], 3) }));
    expect(plain.get('X').bars.length).toBe(3);
  });
});
