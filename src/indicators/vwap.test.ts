import { VWAP } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { readMinuteBars } from './bars.fixture.ts';
import { compareSeries } from './reference.fixture.ts';
import { Vwap } from './vwap.ts';

describe('Vwap', () => {
  it('weights the typical price by volume and restarts when the session key changes', () => {
    const vwap = new Vwap();
    expect(vwap.isReady).toBe(false);
    expect(vwap.update(12, 6, 9, 100, 'd1')).toBe(9); // typical (12 + 6 + 9) / 3 = 9
    expect(vwap.update(13, 10, 13, 300, 'd1')).toBe((9 * 100 + 12 * 300) / 400);
    expect(vwap.isReady).toBe(true);
    expect(vwap.update(3, 3, 3, 50, 'd2')).toBe(3);
    expect(vwap.update(6, 6, 6, 50, 'd2')).toBe(4.5);
    expect(vwap.update(6, 6, 6, 50, 7)).toBe(6);
  });

  it('ignores zero-volume bars and is NaN until the session has volume', () => {
    const vwap = new Vwap();
    expect(vwap.update(5, 5, 5, 0, 'd1')).toBeNaN();
    expect(vwap.isReady).toBe(false);
    expect(vwap.update(4, 4, 4, 10, 'd1')).toBe(4);
    expect(vwap.update(99, 99, 99, 0, 'd1')).toBe(4);
    expect(vwap.update(5, 5, 5, 0, 'd2')).toBeNaN();
    vwap.update(4, 4, 4, 10, 'd2');
    vwap.reset();
    expect([vwap.value, vwap.isReady]).toEqual([NaN, false]);
    // After reset the same key starts a new session rather than continuing the old one.
    expect(vwap.update(8, 8, 8, 10, 'd2')).toBe(8);
  });

  it('agrees on DBB minute bars with trading-signals VWAP restarted each UTC day, to 1e-9 on every bar', () => {
    const bars = readMinuteBars('intraday/DBB_1min.csv');
    const ours = new Vwap();
    let theirs = new VWAP();
    let day = '';
    const oursSeries: number[] = [];
    const theirsSeries: (number | null)[] = [];
    let sessions = 0;
    for (let i = 0; i < bars.close.length; i++) {
      const sessionKey = bars.date[i]!.slice(0, 10);
      if (sessionKey !== day) {
        day = sessionKey;
        theirs = new VWAP();
        sessions++;
      }
      const candle = {
        high: bars.high[i]!,
        low: bars.low[i]!,
        close: bars.close[i]!,
        volume: bars.volume[i]!,
      };
      oursSeries.push(ours.update(candle.high, candle.low, candle.close, candle.volume, sessionKey));
      theirsSeries.push(theirs.add(candle));
    }
    const result = compareSeries(oursSeries, theirsSeries);
    expect(result.mismatches).toEqual([]);
    expect(result.compared).toBe(bars.close.length);
    // The comparison above covers hundreds of session restarts, not one long session.
    expect(sessions).toBeGreaterThan(400);
  });
});
