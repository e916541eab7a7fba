// What a run records besides orders: equity points, signals, its statistics and its status.
import type { Signal } from './signal.ts';

/** One point of the equity curve: portfolio value (cash plus positions marked at the last close). */
export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
  readonly cash: number;
}

/** A signal as recorded, with the strategy that raised it and when. */
export interface SignalRecord {
  readonly ts: number;
  readonly strategy: string;
  readonly signal: Signal;
  /** The order it became, if any. */
  readonly orderId?: number;
}

/** Summary statistics of a run. Ratios are plain fractions (0.12 = 12 %), durations in ms. */
export interface RunStats {
  readonly initialValue: number;
  readonly finalValue: number;
  readonly totalReturn: number;
  /** Compound annual growth rate over the calendar time from first to last equity point. */
  readonly cagr: number;
  /** Annualised (sqrt 252) Sharpe ratio of daily returns, risk-free rate 0; 0 with fewer than two days. */
  readonly sharpe: number;
  /** Annualised Sortino ratio of daily returns (downside deviation), 0 when there is no downside. */
  readonly sortino: number;
  /** Largest peak-to-trough fall as a fraction of the peak. */
  readonly maxDrawdown: number;
  readonly maxDrawdownPeakTs: number | null;
  readonly maxDrawdownTroughTs: number | null;
  /** When equity first regained the peak after the deepest trough; null if it never did. */
  readonly maxDrawdownRecoveryTs: number | null;
  readonly tradeCount: number;
  readonly winRate: number;
  /** Gross profit over gross loss; Infinity with no losing trade, 0 with no trade. */
  readonly profitFactor: number;
  /** Share of time steps with any open position. */
  readonly exposure: number;
  readonly bars: number;
}

/** Lifecycle state of a run. */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
