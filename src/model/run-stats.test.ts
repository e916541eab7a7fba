import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import type { Trade } from './order.ts';
import type { EquityPoint } from './run.ts';
import { computeStats, dailyCloses, maxDrawdown, returnsOf, sharpeRatio, sortinoRatio } from './run-stats.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const D1 = Date.UTC(2024, 0, 2);
const at = (ts: number, equity: number): EquityPoint => ({ ts, equity, cash: 0 });

const trade = (id: number, pnl: number): Trade => ({
  id,
  account: 'default',
  strategy: 's',
  symbol: 'X',
  direction: 1,
  quantity: 1,
  entryTime: 0,
  entryPrice: 1,
  exitTime: 1,
  exitPrice: 1,
  pnl,
  commission: 0,
  bars: 1,
});

const base = { trades: [], initialValue: 100, exposureSteps: 0, totalSteps: 0, bars: 0 };

// Three UTC days whose closes are 110, 99 and 108.9 after an initial 100: daily returns +10 %, -10 %, +10 %.
// Points inside a day that are not its last one must not count.
const KNOWN: EquityPoint[] = [
  at(D1 + 10 * HOUR, 105),
  at(D1 + 20 * HOUR, 110),
  at(D1 + DAY + 15 * HOUR, 99),
  at(D1 + 2 * DAY + 9 * HOUR, 120),
  at(D1 + 2 * DAY + 21 * HOUR, 108.9),
];

describe('daily returns', () => {
  it('takes the last point of each UTC day, after the initial value', () => {
    expect(dailyCloses(KNOWN, 100)).toStrictEqual([100, 110, 99, 108.9]);
    const r = returnsOf(dailyCloses(KNOWN, 100));
    expect(r).toHaveLength(3);
    [0.1, -0.1, 0.1].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
  });

  it('splits days at UTC midnight, not at 24 hours after the first point', () => {
    const closes = dailyCloses([at(D1 + 23 * HOUR, 1), at(D1 + DAY, 2), at(D1 + DAY + 22 * HOUR, 3)], 1);
    expect(closes).toStrictEqual([1, 1, 3]);
  });
});

describe('computeStats', () => {
  it('computes Sharpe and Sortino of a known series by hand', () => {
    // Returns 0.1, -0.1, 0.1: mean m = 1/30.
    // Sample variance = ((0.1 - m)^2 * 2 + (-0.1 - m)^2) / (3 - 1) = ((1/15)^2 * 2 + (2/15)^2) / 2 = 1/75.
    // Sharpe = m / sqrt(1/75) * sqrt(252) = sqrt(75 * 252) / 30 = sqrt(18900 / 900) = sqrt(21) ~ 4.5826.
    // Downside deviation = sqrt((0 + 0.01 + 0) / 3); Sortino = (1/30) / (0.1 / sqrt(3)) * sqrt(252) = sqrt(84).
    const stats = computeStats({ ...base, equity: KNOWN });
    expect(stats.sharpe).toBeCloseTo(Math.sqrt(21), 10);
    expect(stats.sharpe).toBeCloseTo(4.58257569, 6);
    expect(stats.sortino).toBeCloseTo(Math.sqrt(84), 10);
  });

  it('finds the deepest drawdown with its peak, trough and recovery times', () => {
    // 110 -> 99 is -10 %; 120 -> 108.9 is only -9.25 %. 120 is the first point back at or above 110.
    const stats = computeStats({ ...base, equity: KNOWN });
    expect(stats.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(stats.maxDrawdownPeakTs).toBe(D1 + 20 * HOUR);
    expect(stats.maxDrawdownTroughTs).toBe(D1 + DAY + 15 * HOUR);
    expect(stats.maxDrawdownRecoveryTs).toBe(D1 + 2 * DAY + 9 * HOUR);
  });

  it('computes returns, CAGR over 365.25-day years, and the trade figures', () => {
    // 100 -> 121 over exactly two 365.25-day years: CAGR = sqrt(1.21) - 1 = 10 %.
    const equity = [at(D1, 100), at(D1 + 300 * DAY, 90), at(D1 + 730.5 * DAY, 121)];
    const trades = [trade(1, 10), trade(2, -5), trade(3, 0), trade(4, 20), trade(5, -15)];
    const stats = computeStats({
      equity,
      trades,
      initialValue: 100,
      exposureSteps: 3,
      totalSteps: 4,
      bars: 7,
    });
    expect(stats).toMatchObject({
      initialValue: 100,
      finalValue: 121,
      tradeCount: 5,
      exposure: 0.75,
      bars: 7,
    });
    expect(stats.totalReturn).toBeCloseTo(0.21, 12);
    expect(stats.cagr).toBeCloseTo(0.1, 12);
    expect(stats.winRate).toBe(0.4); // 2 of 5; a break-even trade is not a win
    expect(stats.profitFactor).toBe(1.5); // 30 / 20
    expect(stats.maxDrawdownRecoveryTs).toBe(D1 + 730.5 * DAY);
  });

  it('returns zeros and nulls for a run with no equity point and no trade', () => {
    expect(computeStats({ ...base, equity: [] })).toStrictEqual({
      initialValue: 100,
      finalValue: 100,
      totalReturn: 0,
      cagr: 0,
      sharpe: 0,
      sortino: 0,
      maxDrawdown: 0,
      maxDrawdownPeakTs: null,
      maxDrawdownTroughTs: null,
      maxDrawdownRecoveryTs: null,
      tradeCount: 0,
      winRate: 0,
      profitFactor: 0,
      exposure: 0,
      bars: 0,
    });
  });

  it('handles a single point: its value counts, but there is no span for CAGR and one return only', () => {
    const stats = computeStats({ ...base, equity: [at(D1, 104)] });
    expect(stats).toMatchObject({ finalValue: 104, cagr: 0, sharpe: 0, sortino: 0, maxDrawdown: 0 });
    expect(stats.totalReturn).toBeCloseTo(0.04, 12);
  });

  it('gives 0 Sharpe, Sortino and drawdown for a flat curve over many days', () => {
    const equity = Array.from({ length: 30 }, (_, i) => at(D1 + i * DAY, 100));
    const stats = computeStats({ ...base, equity });
    expect(stats).toMatchObject({ sharpe: 0, sortino: 0, maxDrawdown: 0, totalReturn: 0, cagr: 0 });
  });

  it('gives Infinity profit factor without a losing trade, and 0 Sortino without a down day', () => {
    const equity = [at(D1, 101), at(D1 + DAY, 103), at(D1 + 2 * DAY, 104)];
    const stats = computeStats({ ...base, equity, trades: [trade(1, 5), trade(2, 0)] });
    expect(stats.profitFactor).toBe(Infinity);
    expect(stats.sortino).toBe(0);
    expect(stats.sharpe).toBeGreaterThan(0);
    expect(computeStats({ ...base, equity, trades: [trade(1, 0)] }).profitFactor).toBe(0);
  });

  it('refuses a non-positive initial value', () => {
    for (const initialValue of [0, -1, NaN]) {
      let thrown: unknown;
      try {
        computeStats({ ...base, initialValue, equity: [] });
      } catch (e) {
        thrown = e;
      }
      expect(isTradeflowError(thrown, 'TF_ERR_INTERNAL')).toBe(true);
    }
  });
});

describe('maxDrawdown', () => {
  it('starts a fall at the last time equity stood at its high', () => {
    const dd = maxDrawdown([at(1, 100), at(2, 100), at(3, 80), at(4, 90)]);
    expect(dd).toStrictEqual({ depth: 0.2, peakTs: 2, troughTs: 3, recoveryTs: null });
  });
});

describe('ratios below two returns', () => {
  it('are 0', () => {
    expect(sharpeRatio([0.05])).toBe(0);
    expect(sortinoRatio([-0.05])).toBe(0);
  });
});
