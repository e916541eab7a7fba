// The result shaped from a run's facts: keys in their printed order, the primary account on top, every
// account listed, strategies that did not start after those that did.
import { describe, expect, it } from 'vitest';
import { NO_FEED } from '../engine/feed-watch.ts';
import { NO_LATENCY } from '../engine/latency.ts';
import type { AccountFacts, RunFacts } from '../engine/run-facts.ts';
import type { StrategyMetrics } from '../engine/kernel.ts';
import { computeStats } from '../model/run-stats.ts';
import { backtestResult } from './result.ts';

const T0 = Date.UTC(2024, 0, 2, 21);
const DAY = 86_400_000;

const primary: AccountFacts = {
  name: 'default',
  initialCash: 1000,
  finalValue: 1030,
  cash: 920,
  trades: [
    {
      id: 1,
      account: 'default',
      strategy: 'a',
      symbol: 'X',
      direction: -1,
      quantity: 2,
      entryTime: T0,
      entryPrice: 12,
      exitTime: T0 + DAY,
      exitPrice: 11,
      pnl: 1.5,
      commission: 0.5,
      bars: 1,
    },
  ],
  openPositions: [{ strategy: 'a', symbol: 'X', quantity: 10, avgPrice: 10, lastPrice: 11 }],
};

const other: AccountFacts = {
  name: 'side',
  initialCash: 50,
  finalValue: 50,
  cash: 50,
  trades: [],
  // Never marked: no bar of its symbol yet.
  openPositions: [{ strategy: 'a', symbol: 'Y', quantity: 1, avgPrice: 3, lastPrice: NaN }],
};

const started: StrategyMetrics = {
  name: 'a',
  kind: 'rules',
  isolation: 'thread',
  placement: 'isolation "thread" in its entry',
  status: 'faulted',
  state: 'faulted',
  faultReason: 'crashed',
  subscriptions: [['X', '1d']],
  queueDepth: 3,
  backpressureEvents: 4,
  notifications: 5,
  signals: 2,
  errors: 1,
  invalidSignals: 0,
  inferenceErrors: 6,
  overruns: 7,
  dropped: 8,
  avgMs: 0.5,
  p99Ms: 0.9,
  maxMs: 1.25,
};

const equity = [
  { ts: T0, equity: 1010, cash: 900 },
  { ts: T0 + DAY, equity: 1030, cash: 920 },
];

const facts: RunFacts = {
  runId: 'r1',
  name: 'session',
  kind: 'backtest',
  status: 'completed',
  primary,
  stats: computeStats({
    equity,
    trades: primary.trades,
    initialValue: 1000,
    exposureSteps: 2,
    totalSteps: 2,
    bars: 2,
  }),
  orders: [
    {
      id: 1,
      account: 'default',
      strategy: 'a',
      symbol: 'X',
      side: 'buy',
      quantity: 10,
      type: 'market',
      tsCreated: T0,
      status: 'filled',
      tsClosed: T0,
    },
    {
      id: 2,
      account: 'default',
      strategy: 'a',
      symbol: 'X',
      side: 'buy',
      quantity: 1e6,
      type: 'market',
      tsCreated: T0,
      status: 'rejected',
      reason: 'no cash',
    },
  ],
  equity,
  accounts: [primary, other],
  metrics: {
    strategies: [started],
    system: {
      strategiesTotal: 2,
      active: 0,
      paused: 0,
      faulted: 1,
      totalSignals: 2,
      avgLagMs: 0,
      maxLagMs: 0,
      slowestStrategy: 'a',
      backpressureEvents: 0,
      enginePaused: false,
      feed: NO_FEED,
      liveLatency: NO_LATENCY,
    },
  },
  failures: [{ name: 'b', index: 1, reason: 'setup returned false' }],
  data: [
    {
      file: 'data/x.csv',
      symbol: 'X',
      format: 'ohlcv',
      interval: '1d',
      rows: 2,
      skipped: 1,
      problems: { bad_ohlc: 1 },
      firstSkipped: [{ line: 3, problem: 'bad-number' }],
      firstTs: T0,
      lastTs: T0 + DAY,
    },
  ],
  bars: 2,
  steps: 2,
  timings: { setupMs: 1, runMs: 2 },
};

describe('backtestResult', () => {
  const result = backtestResult(facts);

  it('prints the keys in their documented order', () => {
    expect(Object.keys(result)).toEqual([
      'run_id',
      'name',
      'kind',
      'status',
      'account',
      'initial_cash',
      'final_value',
      'cash',
      'trades',
      'open_positions',
      'stats',
      'orders',
      'rejected_orders',
      'strategies',
      'data',
      'bars',
      'steps',
      'equity',
      'accounts',
    ]);
  });

  it('puts the primary account on top and lists every account', () => {
    expect(result).toMatchObject({
      run_id: 'r1',
      name: 'session',
      kind: 'backtest',
      status: 'completed',
      account: 'default',
      initial_cash: 1000,
      final_value: 1030,
      cash: 920,
      bars: 2,
      steps: 2,
    });
    expect(result.trades).toEqual([
      {
        strategy: 'a',
        symbol: 'X',
        direction: 'short',
        quantity: 2,
        entry_time: '2024-01-02T21:00:00.000Z',
        entry_price: 12,
        exit_time: '2024-01-03T21:00:00.000Z',
        exit_price: 11,
        pnl: 1.5,
        commission: 0.5,
        bars: 1,
      },
    ]);
    expect(result.open_positions).toEqual([
      { strategy: 'a', symbol: 'X', quantity: 10, avg_price: 10, last_price: 11 },
    ]);
    expect(result.accounts).toEqual([
      {
        name: 'default',
        initial_cash: 1000,
        final_value: 1030,
        cash: 920,
        trades: 1,
        open_positions: result.open_positions,
      },
      {
        name: 'side',
        initial_cash: 50,
        final_value: 50,
        cash: 50,
        trades: 0,
        open_positions: [{ strategy: 'a', symbol: 'Y', quantity: 1, avg_price: 3, last_price: NaN }],
      },
    ]);
    // An unmarked position's price is not a number, written as null.
    expect(JSON.parse(JSON.stringify(result.accounts[1]?.open_positions))).toEqual([
      { strategy: 'a', symbol: 'Y', quantity: 1, avg_price: 3, last_price: null },
    ]);
  });

  it('counts orders by status and lists the rejected ones, timed when closed or else when placed', () => {
    expect(result.orders).toEqual({ total: 2, filled: 1, rejected: 1, cancelled: 0 });
    expect(result.rejected_orders).toEqual([
      {
        id: 2,
        strategy: 'a',
        symbol: 'X',
        side: 'buy',
        quantity: 1e6,
        time: '2024-01-02T21:00:00.000Z',
        reason: 'no cash',
      },
    ]);
  });

  it('writes stats in snake case, times in ISO and infinities as null', () => {
    expect(result.stats).toMatchObject({
      initial_value: 1000,
      final_value: 1030,
      trade_count: 1,
      win_rate: 1,
      profit_factor: null,
      max_drawdown: 0,
      max_drawdown_peak: null,
      exposure: 1,
      bars: 2,
    });
    expect(result.equity).toEqual([
      { time: '2024-01-02T21:00:00.000Z', equity: 1010, cash: 900 },
      { time: '2024-01-03T21:00:00.000Z', equity: 1030, cash: 920 },
    ]);
  });

  it('lists the strategies that started, then those that did not, with the reasons', () => {
    expect(result.strategies).toEqual([
      {
        name: 'a',
        status: 'faulted',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 5,
        signals: 2,
        errors: 1,
        invalid_signals: 0,
        inference_errors: 6,
        avg_ms: 0.5,
        p99_ms: 0.9,
        max_ms: 1.25,
        overruns: 7,
        dropped: 8,
        queue_depth: 3,
        backpressure_events: 4,
        reason: 'crashed',
      },
      {
        name: 'b',
        status: 'not_started',
        notifications: 0,
        signals: 0,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        avg_ms: 0,
        p99_ms: 0,
        max_ms: 0,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
        reason: 'setup returned false',
      },
    ]);
    // The figures come before the reason, in the order the table shows them.
    expect(Object.keys(result.strategies[0]!)).toEqual([
      'name',
      'status',
      'isolation',
      'placement',
      'notifications',
      'signals',
      'errors',
      'invalid_signals',
      'inference_errors',
      'avg_ms',
      'p99_ms',
      'max_ms',
      'overruns',
      'dropped',
      'queue_depth',
      'backpressure_events',
      'reason',
    ]);
    expect(result.data).toEqual([
      {
        symbol: 'X',
        file: 'data/x.csv',
        format: 'ohlcv',
        interval: '1d',
        rows: 2,
        skipped: 1,
        problems: { bad_ohlc: 1 },
      },
    ]);
  });
});
