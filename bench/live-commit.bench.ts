// Benchmark of a live run's per-step commit: a typical step (an order placed, one filled, its fill, a trade,
// a signal, an equity point, the account's state, one bar) made durable before the next step, per step.
import { join } from 'node:path';
import type { LiveState } from '../src/model/live-state.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import type { LiveStep, RunStore } from '../src/storage/store.ts';
import { ThreadedSqliteStore } from '../src/storage/threaded-store.ts';
import type { Figure } from './harness.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 31);

/** Step `i` of a run that trades on every bar: order i placed, order i-1 filled, its fill, a trade. */
function stepOf(i: number): LiveStep {
  const ts = T0 + i * 60_000;
  const order = {
    account: 'default',
    strategy: 'sma',
    symbol: 'FXY',
    side: 'buy' as const,
    quantity: 10,
    type: 'market' as const,
  };
  const state: LiveState = {
    steps: i + 1,
    exposureSteps: i,
    lastTs: ts,
    nextOrder: i + 2,
    nextFill: i + 1,
    nextTrade: i + 1,
    accounts: [
      {
        account: 'default',
        cash: 99_000 - i,
        marks: { FXY: 60 + (i % 7) },
        books: [
          {
            strategy: 'sma',
            symbol: 'FXY',
            qty: 10,
            avgPrice: 60,
            entryTime: ts,
            entryQty: 10,
            entryValue: 600,
            exitQty: 0,
            exitValue: 0,
            realized: 0,
            commission: 0.1,
            maxAbsQty: 10,
            entryStep: i,
            direction: 1,
          },
        ],
      },
    ],
  };
  return {
    orders: [
      { ...order, id: i + 1, tsCreated: ts, status: 'open' },
      ...(i > 0
        ? [{ ...order, id: i, tsCreated: ts - 60_000, status: 'filled' as const, tsClosed: ts }]
        : []),
    ],
    fills:
      i > 0
        ? [
            {
              id: i,
              orderId: i,
              account: 'default',
              strategy: 'sma',
              symbol: 'FXY',
              side: 'buy',
              quantity: 10,
              price: 60,
              commission: 0.1,
              ts,
            },
          ]
        : [],
    trades:
      i > 0
        ? [
            {
              id: i,
              account: 'default',
              strategy: 'sma',
              symbol: 'FXY',
              direction: 1,
              quantity: 10,
              entryTime: ts - 60_000,
              entryPrice: 59,
              exitTime: ts,
              exitPrice: 60,
              pnl: 9.9,
              commission: 0.1,
              bars: 1,
            },
          ]
        : [],
    signals: [
      {
        ts,
        strategy: 'sma',
        signal: { symbol: 'FXY', action: 'BUY', quantity: 10, reason: 'cross' },
        orderId: i + 1,
      },
    ],
    equity: [{ ts, equity: 100_000 + i, cash: 99_000 - i }],
    bars: [{ symbol: 'FXY', interval: '1m', ts, open: 60, high: 61, low: 59, close: 60.5, volume: 1000 }],
    state,
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/** Times `steps` commits of `commit` on a fresh run of `store`, in us each. */
async function time(
  store: RunStore,
  steps: number,
  commit: (store: RunStore, i: number) => void,
): Promise<number[]> {
  store.startRun({ id: 'live', name: 'commit bench', kind: 'live', config: {}, startedAt: 0 });
  await store.flush();
  const us: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      commit(store, i);
      await store.flush();
      us.push((performance.now() - t0) * 1000);
    }
  } finally {
    store.close();
  }
  return us;
}

/**
 * The per-step commit of a live run on a file database, p50 and p99 over a few thousand steps: the path the
 * CLI takes (SqliteStore.writeStep on the engine's thread), the same through the writer thread
 * (ThreadedSqliteStore.writeStep, flush awaited), and before per-step commits (the old path with a flush per
 * step: ThreadedSqliteStore.writeBatch of the step's events alone, flush awaited).
 */
export async function liveCommitBench(options: { dir: string; quick: boolean }): Promise<Figure[]> {
  const steps = options.quick ? 1000 : 4000;
  const path = (name: string) => join(options.dir, `live-commit-${name}.db`);
  const write = (store: RunStore, i: number) => store.writeStep('live', stepOf(i));
  const sync = await time(new SqliteStore(path('sync')), steps, write);
  const threaded = await time(new ThreadedSqliteStore(path('threaded')), steps, write);
  const before = await time(new ThreadedSqliteStore(path('before')), steps, (store, i) => {
    const { bars: _b, state: _s, ...batch } = stepOf(i);
    store.writeBatch('live', batch);
  });
  const what = `per-step commit of a live step (order, fill, trade, signal, equity, state, bar), ${steps} steps`;
  const fig = (key: string, label: string, us: number[], p: number): Figure => ({
    key,
    label: `${label} p${Math.round(p * 100)}`,
    value: percentile(us, p),
    unit: 'us',
    better: 'lower',
  });
  return [
    fig('live_commit_p50_us', `${what}: SqliteStore.writeStep (live CLI)`, sync, 0.5),
    fig('live_commit_p99_us', `${what}: SqliteStore.writeStep (live CLI)`, sync, 0.99),
    fig('live_commit_threaded_p50_us', `${what}: ThreadedSqliteStore.writeStep + flush`, threaded, 0.5),
    fig('live_commit_threaded_p99_us', `${what}: ThreadedSqliteStore.writeStep + flush`, threaded, 0.99),
    fig(
      'live_commit_before_p50_us',
      'before: the events alone, ThreadedSqliteStore.writeBatch + flush per step',
      before,
      0.5,
    ),
    fig(
      'live_commit_before_p99_us',
      'before: the events alone, ThreadedSqliteStore.writeBatch + flush per step',
      before,
      0.99,
    ),
  ];
}
