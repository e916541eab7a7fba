import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { BarSeries, BarSeriesView, BYTES_PER_BAR, SessionData } from './session-data.ts';

const bar = (i: number) => [60_000 * (i + 1), 10 + i, 11 + i, 9 + i, 10.5 + i, 100 * i] as const;

describe('BarSeries and BarSeriesView', () => {
  it('shows a reader only the published bars, counting negative indexes from the last one', () => {
    const series = new BarSeries('X', '1m', { capacity: 4 });
    const view = new BarSeriesView(series.descriptor);
    series.write(...bar(0));
    series.write(...bar(1));
    expect(series.written).toBe(2);
    expect(view.length).toBe(0);
    expect(view.close(0)).toBeNaN();
    expect(series.publishNext()).toBe(0);
    expect([view.length, view.close(0), view.close(-1), view.close(1)]).toEqual([1, 10.5, 10.5, NaN]);
    series.publishTo(2);
    expect([view.time(-1), view.open(-1), view.high(-1), view.low(-1), view.close(-2), view.volume(-1)]).toEqual([
      120_000, 11, 12, 10, 10.5, 100,
    ]);
    expect(view.bar(-1)).toEqual({ tsClose: 120_000, open: 11, high: 12, low: 10, close: 11.5, volume: 100 });
    expect(view.bar(5)).toBeUndefined();
    expect(() => series.publishNext()).toThrow(/X@1m|nothing left to publish/);
  });

  it('keeps a view made before the columns grew reading every bar appended after', () => {
    const series = new BarSeries('X', '1m', { capacity: 2 });
    const view = new BarSeriesView(series.descriptor);
    const first = view.close(0);
    expect(first).toBeNaN();
    for (let i = 0; i < 100; i++) series.append(...bar(i));
    expect(series.descriptor.close.byteLength).toBeGreaterThanOrEqual(100 * 8);
    expect(view.length).toBe(100);
    expect(view.close(-1)).toBe(10.5 + 99);
    expect(view.time(50)).toBe(60_000 * 51);
    expect(Array.from(view.last('close', 3))).toEqual([107.5, 108.5, 109.5]);
    // The writer's own accessors follow the growth too.
    expect([series.timeAt(99), series.closeAt(99), series.timeAt(100)]).toEqual([6_000_000, 109.5, Infinity]);
    expect(series.bytes).toBe(128 * BYTES_PER_BAR);
  });

  it('refuses to grow past its largest capacity, naming the series', () => {
    const series = new BarSeries('X', '1m', { capacity: 2, maxCapacity: 3 });
    for (let i = 0; i < 3; i++) series.write(...bar(i));
    try {
      series.write(...bar(3));
      expect.unreachable();
    } catch (e) {
      expect(isTradeflowError(e) && e.message).toMatch(/X@1m: more than 3 bars; raise maxCapacity/);
    }
  });

  it('keeps one series per (symbol, interval) in a session and refuses a view of an unknown one', () => {
    const data = new SessionData();
    const a = data.create('X', '1m', { capacity: 8 });
    expect(data.create('X', '1m')).toBe(a);
    data.create('X', '5m');
    expect(data.all().map((s) => s.key)).toEqual([a.key, data.get('X', '5m')!.key]);
    expect(data.descriptors()).toHaveLength(2);
    expect(data.bytes).toBe((8 + 1024) * BYTES_PER_BAR);
    expect(() => data.view('Y', '1m')).toThrow(/no bar series for Y at 1m/);
  });
});
