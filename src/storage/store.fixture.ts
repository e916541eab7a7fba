// Builders with defaults for store tests: each returns a plain value a test overrides field by field.
import type { Fill, Order, Trade } from '../model/order.ts';
import type { EquityPoint, RunStats, SignalRecord } from '../model/run.ts';
import type { RunBatch, RunStart } from './store.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);

/** Builds a run start. */
export function aRun(overrides: Partial<RunStart> = {}): RunStart {
  return {
    id: 'run-1',
    name: 'sma cross',
    kind: 'backtest',
    config: {
      strategies: [{ module: 'examples/simple_ma_cross.ts', config: { fast: 5, slow: 20 } }],
      cash: 10_000,
    },
    startedAt: T0,
    ...overrides,
  };
}

/** Builds a filled market buy order. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    id: 1,
    account: 'default',
    strategy: 'sma',
    symbol: 'ORCL',
    side: 'buy',
    quantity: 10,
    type: 'market',
    tsCreated: T0,
    status: 'filled',
    tsClosed: T0 + 60_000,
    ...overrides,
  };
}

/** Builds a fill of order 1. */
export function aFill(overrides: Partial<Fill> = {}): Fill {
  return {
    id: 1,
    orderId: 1,
    account: 'default',
    strategy: 'sma',
    symbol: 'ORCL',
    side: 'buy',
    quantity: 10,
    price: 101.25,
    commission: 0.5,
    ts: T0 + 60_000,
    ...overrides,
  };
}

/** Builds a closed winning long trade. */
export function aTrade(overrides: Partial<Trade> = {}): Trade {
  return {
    id: 1,
    account: 'default',
    strategy: 'sma',
    symbol: 'ORCL',
    direction: 1,
    quantity: 10,
    entryTime: T0 + 60_000,
    entryPrice: 101.25,
    exitTime: T0 + 3_600_000,
    exitPrice: 103.5,
    pnl: 21.5,
    commission: 1,
    bars: 59,
    ...overrides,
  };
}

/** Builds a signal record with no optional field. */
export function aSignal(overrides: Partial<SignalRecord> = {}): SignalRecord {
  return { ts: T0, strategy: 'sma', signal: { symbol: 'ORCL', action: 'HOLD' }, ...overrides };
}

/** Builds `count` equity points one minute apart from `startTs`, with equity rising by 0.25 per point. */
export function equityPoints(count: number, startTs = T0, startEquity = 10_000): EquityPoint[] {
  return Array.from({ length: count }, (_, i) => ({
    ts: startTs + i * 60_000,
    equity: startEquity + i * 0.25,
    cash: 5_000.125,
  }));
}

/** Builds a batch; every list defaults to empty. */
export function aBatch(overrides: Partial<RunBatch> = {}): RunBatch {
  return { orders: [], fills: [], trades: [], signals: [], equity: [], ...overrides };
}

/** Builds run stats with a profit factor of Infinity (no losing trade), which plain JSON would lose. */
export function someStats(overrides: Partial<RunStats> = {}): RunStats {
  return {
    initialValue: 10_000,
    finalValue: 10_021.5,
    totalReturn: 0.00215,
    cagr: 0.41,
    sharpe: 1.5,
    sortino: 0,
    maxDrawdown: 0,
    maxDrawdownPeakTs: null,
    maxDrawdownTroughTs: null,
    maxDrawdownRecoveryTs: null,
    tradeCount: 1,
    winRate: 1,
    profitFactor: Infinity,
    exposure: 0.25,
    bars: 390,
    ...overrides,
  };
}
