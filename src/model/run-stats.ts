// Run statistics: analytics over an equity curve and its closed trades (returns, Sharpe, Sortino, drawdown,
// win rate), as the run store records them and reports show them.
import { TradeflowError } from '../core/errors.ts';
import type { Trade } from './order.ts';
import type { EquityPoint, RunStats } from './run.ts';

/** What `computeStats` needs: the equity curve in time order, the closed trades, and step counts. */
export interface StatsInput {
  readonly equity: readonly EquityPoint[];
  readonly trades: readonly Trade[];
  /** Portfolio value before the first step (the starting cash). */
  readonly initialValue: number;
  /** Time steps with any open position. */
  readonly exposureSteps: number;
  readonly totalSteps: number;
  readonly bars: number;
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
const TRADING_DAYS_PER_YEAR = 252;

/** Returns the last equity value of each UTC day, in time order, after the initial value. */
export function dailyCloses(equity: readonly EquityPoint[], initialValue: number): number[] {
  const closes = [initialValue];
  let day: number | undefined;
  for (const p of equity) {
    const d = Math.floor(p.ts / DAY_MS);
    if (d === day) closes[closes.length - 1] = p.equity;
    else closes.push(p.equity);
    day = d;
  }
  return closes;
}

/** Returns simple returns between consecutive values. */
export function returnsOf(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1] ?? NaN;
    out.push(prev === 0 ? 0 : (values[i] ?? NaN) / prev - 1);
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Returns the annualised Sharpe ratio of daily returns (risk-free 0, sample deviation); 0 below two returns. */
export function sharpeRatio(returns: readonly number[]): number {
  if (returns.length < 2) return 0;
  const m = mean(returns);
  const variance = returns.reduce((a, r) => a + (r - m) ** 2, 0) / (returns.length - 1);
  // A flat curve has no variance; so tiny a deviation that it is rounding noise would give a huge ratio.
  if (variance <= 1e-30) return 0;
  return (m / Math.sqrt(variance)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/**
 * Returns the annualised Sortino ratio of daily returns: the mean over the downside deviation, the root mean
 * square of min(r, 0) over all N returns (target 0), as Sortino and Price, empyrical and quantstats define
 * it; 0 below two returns or with no downside.
 */
export function sortinoRatio(returns: readonly number[]): number {
  if (returns.length < 2) return 0;
  const downside = returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / returns.length;
  if (downside <= 1e-30) return 0;
  return (mean(returns) / Math.sqrt(downside)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/** The deepest fall of an equity curve from a running peak. */
export interface Drawdown {
  /** As a fraction of the peak, 0 when the curve never falls. */
  readonly depth: number;
  readonly peakTs: number | null;
  readonly troughTs: number | null;
  /** When equity first got back to the peak after the trough; null if it never did. */
  readonly recoveryTs: number | null;
}

/** Returns the maximum drawdown of an equity curve in time order. */
export function maxDrawdown(equity: readonly EquityPoint[]): Drawdown {
  let peak = -Infinity;
  let peakTs = 0;
  let depth = 0;
  let worst: { peak: number; peakTs: number; troughIndex: number } | undefined;
  for (let i = 0; i < equity.length; i++) {
    const p = equity[i];
    if (p === undefined) continue;
    // >=: a fall starts from the last time equity stood at its high, not the first.
    if (p.equity >= peak) {
      peak = p.equity;
      peakTs = p.ts;
    } else if (peak > 0 && (peak - p.equity) / peak > depth) {
      depth = (peak - p.equity) / peak;
      worst = { peak, peakTs, troughIndex: i };
    }
  }
  if (worst === undefined) return { depth: 0, peakTs: null, troughTs: null, recoveryTs: null };
  const peakValue = worst.peak;
  const recovered = equity.slice(worst.troughIndex + 1).find((p) => p.equity >= peakValue);
  return {
    depth,
    peakTs: worst.peakTs,
    troughTs: equity[worst.troughIndex]?.ts ?? null,
    recoveryTs: recovered?.ts ?? null,
  };
}

/** Returns the statistics of a run from its equity curve and its closed trades. */
export function computeStats(input: StatsInput): RunStats {
  const { equity, trades, initialValue } = input;
  if (!(initialValue > 0) || !Number.isFinite(initialValue)) {
    throw new TradeflowError(
      'TF_ERR_INTERNAL',
      `computeStats: initialValue must be positive, got ${initialValue}`,
    );
  }
  const first = equity[0];
  const last = equity[equity.length - 1];
  const finalValue = last?.equity ?? initialValue;
  const growth = finalValue / initialValue;
  const years = first !== undefined && last !== undefined ? (last.ts - first.ts) / YEAR_MS : 0;
  const cagr = years > 0 ? (growth > 0 ? growth ** (1 / years) - 1 : -1) : 0;
  const daily = returnsOf(dailyCloses(equity, initialValue));
  const dd = maxDrawdown(equity);
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else {
      grossLoss -= t.pnl;
    }
  }
  return {
    initialValue,
    finalValue,
    totalReturn: growth - 1,
    cagr,
    sharpe: sharpeRatio(daily),
    sortino: sortinoRatio(daily),
    maxDrawdown: dd.depth,
    maxDrawdownPeakTs: dd.peakTs,
    maxDrawdownTroughTs: dd.troughTs,
    maxDrawdownRecoveryTs: dd.recoveryTs,
    tradeCount: trades.length,
    winRate: trades.length > 0 ? wins / trades.length : 0,
    // No loss: Infinity if anything was won, 0 if nothing was (no trade, or only break-even trades).
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0,
    exposure: input.totalSteps > 0 ? input.exposureSteps / input.totalSteps : 0,
    bars: input.bars,
  };
}
