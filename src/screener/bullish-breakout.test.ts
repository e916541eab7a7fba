import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { barsNeeded, bullishBreakout, bullishBreakoutSchema, lastIndexAsOf } from './bullish-breakout.ts';
import { emptyBars } from './daily-bars.ts';
import { bundledTickerSource } from './ticker-source.ts';
import type { DailyBars } from './types.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1, 21);

/** Builds daily bars from closes and volumes: each bar opens at the previous close. */
function barsOf(closes: readonly number[], volumes: readonly number[] | number = 1_000_000): DailyBars {
  const bars = emptyBars('TEST', closes.length);
  closes.forEach((c, i) => {
    const open = i === 0 ? c : (closes[i - 1] as number);
    bars.time[i] = T0 + i * DAY;
    bars.open[i] = open;
    bars.high[i] = Math.max(open, c) * 1.002;
    bars.low[i] = Math.min(open, c) * 0.998;
    bars.close[i] = c;
    bars.volume[i] = typeof volumes === 'number' ? volumes : (volumes[i] as number);
  });
  return bars;
}

/** 80 quiet bars around 50, then 20 bars up 1.0 / down 0.6 in turn: a steady rise that is not overbought. */
function risingCloses(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 80; i++) out.push(50 + (i % 2 === 0 ? 0.3 : -0.3));
  let c = out[out.length - 1] as number;
  for (let i = 0; i < 20; i++) out.push((c += i % 2 === 0 ? 1.0 : -0.6));
  return out;
}

/** Volumes of 1M with a last-day spike of `spike` M. */
const spikeVolumes = (n: number, spike: number) =>
  Array.from({ length: n }, (_, i) => (i === n - 1 ? spike * 1e6 : 1e6));

const defaults = bullishBreakoutSchema.parse({});
const run = (bars: DailyBars, params: Record<string, unknown> = {}) =>
  bullishBreakout.evaluate(bars, bullishBreakoutSchema.parse(params));

describe('bullish_breakout', () => {
  it('has documented defaults and refuses unknown keys and a fast MACD not below the slow one', () => {
    expect(defaults).toEqual({
      volume_period: 20,
      min_volume_multiple: 1.5,
      macd_fast: 12,
      macd_slow: 26,
      macd_signal: 9,
      require_macd_positive: false,
      rsi_period: 14,
      max_rsi: 70,
      allow_overbought: false,
      require_52w_high: false,
      high_lookback_days: 252,
      high_tolerance_pct: 3,
      min_score: 60,
    });
    const bad = bullishBreakoutSchema.safeParse({ macd_fast: 30, min_scor: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.code, i.path.join('.')])).toEqual([
      ['unrecognized_keys', ''],
      ['custom', 'macd_fast'],
    ]);
    const order = bullishBreakoutSchema.safeParse({ macd_fast: 30 });
    expect(order.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['macd_fast', 'must be less than macd_slow'],
    ]);
    expect(bullishBreakoutSchema.safeParse({ as_of: '2014-02-30' }).success).toBe(false); // not rolled over to March 2
    expect(bullishBreakoutSchema.safeParse({ as_of: '2014-13-01' }).success).toBe(false);
  });

  it('passes a steady rise on a volume surge, with every check in the reasons', () => {
    const r = run(barsOf(risingCloses(), spikeVolumes(100, 3)));
    expect(r.passed).toBe(true);
    expect(r.classification).toBe('bullish_breakout');
    expect(r.reasons.map((x) => x.split(':')[0])).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(r.reasons[0]).toBe('pass: volume 3.00x its 20-day average (at least 1.5x)');
    expect(r.metrics).toMatchObject({
      bars: 100,
      volume: 3e6,
      avg_volume: 1e6,
      volume_multiple: 3,
      at_52w_high: true,
    });
    expect(r.metrics['rsi']).toBeGreaterThan(50);
    expect(r.metrics['rsi']).toBeLessThan(70);
    expect(r.metrics['macd']).toBeGreaterThan(r.metrics['macd_signal'] as number);
    // 30 + 25 + 10 + 20, and the high part 15 * (1 - 1.30% / 25%) as the close is 1.30% below the high.
    expect(r.metrics['pct_from_52w_high']).toBe(-1.3024);
    expect(r.score).toBe(99.2);
  });

  it('fails the same rise without the surge, and calls it a watch when the score is high enough', () => {
    const r = run(barsOf(risingCloses(), 1e6));
    expect(r.passed).toBe(false);
    expect(r.reasons[0]).toBe('fail: volume 1.00x its 20-day average (at least 1.5x)');
    expect(r.score).toBe(89.2); // the volume part falls from 30 to 30 * (1 / 1.5)
    expect(r.classification).toBe('watch');
    expect(run(barsOf(risingCloses(), 1e6), { min_score: 95 }).classification).toBe('neutral');
  });

  it('refuses an overbought RSI unless allowed', () => {
    const bars = barsOf(risingCloses(), spikeVolumes(100, 3));
    const strict = run(bars, { max_rsi: 55 });
    expect(strict.passed).toBe(false);
    expect(strict.classification).toBe('overbought');
    expect(strict.reasons[3]).toMatch(/^fail: RSI\(14\) \d+\.\d\d above 55$/);
    const allowed = run(bars, { max_rsi: 55, allow_overbought: true });
    expect(allowed.passed).toBe(true);
    expect(allowed.reasons[3]).toMatch(/^note: RSI\(14\) .* above 55 \(overbought allowed\)$/);
    expect(allowed.score).toBe(89.2); // an allowed overbought RSI earns half its part
  });

  it('calls a falling market bearish', () => {
    const closes = Array.from({ length: 100 }, (_, i) => 100 - i * 0.5 + (i % 2 === 0 ? 0.4 : -0.4));
    const r = run(barsOf(closes, spikeVolumes(100, 3)));
    expect(r.passed).toBe(false);
    expect(r.classification).toBe('bearish');
    expect(r.metrics['macd']).toBeLessThan(0);
  });

  it('requires MACD above zero and a 52-week high only when asked', () => {
    // A long fall, then a short turn: MACD crosses its signal while still below zero, far below the high.
    const closes: number[] = [];
    for (let i = 0; i < 90; i++) closes.push(100 - i * 0.5 + (i % 2 === 0 ? 0.3 : -0.3));
    let c = closes[closes.length - 1] as number;
    for (let i = 0; i < 10; i++) closes.push((c += i % 2 === 0 ? 1.2 : -0.4));
    const bars = barsOf(closes, spikeVolumes(100, 3));
    const plain = run(bars, { min_score: 50 });
    expect(plain.metrics['macd']).toBeLessThan(0);
    expect(plain.metrics['macd']).toBeGreaterThan(plain.metrics['macd_signal'] as number);
    expect(plain.metrics['at_52w_high']).toBe(false);
    expect(plain.passed).toBe(true);
    expect(plain.reasons[2]).toBe('note: MACD not above zero');
    const positive = run(bars, { min_score: 50, require_macd_positive: true });
    expect(positive.passed).toBe(false);
    expect(positive.reasons[2]).toBe('fail: MACD not above zero');
    const high = run(bars, { min_score: 50, require_52w_high: true });
    expect(high.passed).toBe(false);
    expect(high.reasons[4]).toMatch(/^fail: close /);
  });

  it('evaluates as of a date, and refuses too few bars with TF_ERR_TICKER_DATA', () => {
    const bars = barsOf(risingCloses(), spikeVolumes(100, 3));
    const asOf = new Date(T0 + 79 * DAY).toISOString().slice(0, 10);
    expect(lastIndexAsOf(bars, asOf)).toBe(79);
    expect(lastIndexAsOf(bars, '2019-12-31')).toBe(-1);
    expect(lastIndexAsOf(bars, '2099-01-01')).toBe(99);
    const r = run(bars, { as_of: asOf });
    expect(r.metrics['date']).toBe(asOf);
    expect(r.metrics['bars']).toBe(80);
    expect(barsNeeded(defaults)).toBe(34);
    try {
      run(barsOf(risingCloses().slice(0, 33)));
      expect.unreachable();
    } catch (e) {
      expect(isTradeflowError(e, 'TF_ERR_TICKER_DATA')).toBe(true);
      expect((e as Error).message).toBe(
        'TEST: 33 daily bars; bullish_breakout needs at least 34 with these periods',
      );
    }
    expect(() => run(bars, { as_of: '2019-12-31' })).toThrow('TEST: 0 daily bars up to 2019-12-31');
  });

  it('scores real tickers in 0-100, the same every time', () => {
    const source = bundledTickerSource();
    for (const ticker of ['ORCL', 'NVDA', 'YHOO']) {
      const bars = source.load(ticker);
      for (const asOf of ['2003-03-14', '2008-10-10', '2014-12-31']) {
        const a = run(bars, { as_of: asOf });
        expect(a.score).toBeGreaterThanOrEqual(0);
        expect(a.score).toBeLessThanOrEqual(100);
        expect(run(bars, { as_of: asOf })).toEqual(a);
        expect(JSON.parse(JSON.stringify(a))).toEqual(a);
      }
    }
  });
});
