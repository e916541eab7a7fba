// The store's own defence: one bad row in a batch is skipped (with the rows that depend on it) and recorded
// with the run, and the rest of the batch is stored, by every store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fill, Order, Trade } from '../../src/model/order.ts';
import type { EquityPoint, SignalRecord } from '../../src/model/run.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { RunBatch, RunStore } from '../../src/storage/store.ts';
import { aRun } from '../../src/storage/store.fixture.ts';
import { ThreadedSqliteStore } from '../../src/storage/threaded-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-store-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `${++files}.db`);

const T = 1_700_000_000_000;
const DAY = 86_400_000;

/** A step's worth of events: three orders, their fills, the trade fills 1 and 2 made, signals, equity. */
function goodBatch(): {
  orders: Order[];
  fills: Fill[];
  trades: Trade[];
  signals: SignalRecord[];
  equity: EquityPoint[];
} {
  const base = { account: 'default', strategy: 'sma', symbol: 'ORCL' } as const;
  const orders: Order[] = [1, 2, 3].map((id) => ({
    ...base,
    id,
    side: id === 2 ? 'sell' : 'buy',
    quantity: 10,
    type: 'market',
    tsCreated: T + (id - 1) * DAY,
    status: 'filled',
    tsClosed: T + id * DAY,
  }));
  const fills: Fill[] = orders.map((o) => ({
    ...base,
    id: o.id,
    orderId: o.id,
    side: o.side,
    quantity: 10,
    price: 100 + o.id,
    commission: 0.5,
    ts: T + o.id * DAY,
  }));
  const trades: Trade[] = [
    {
      ...base,
      id: 1,
      direction: 1,
      quantity: 10,
      entryTime: T + DAY,
      entryPrice: 101,
      exitTime: T + 2 * DAY,
      exitPrice: 102,
      pnl: 9,
      commission: 1,
      bars: 1,
    },
  ];
  const signals: SignalRecord[] = orders.map((o) => ({
    ts: o.tsCreated,
    strategy: 'sma',
    orderId: o.id,
    signal: {
      symbol: 'ORCL',
      action: o.side === 'buy' ? 'BUY' : 'SELL',
      quantity: 10,
      reason: `order ${o.id}`,
    },
  }));
  const equity: EquityPoint[] = [0, 1, 2].map((i) => ({
    ts: T + i * DAY,
    equity: 100_000 + i,
    cash: 99_000,
  }));
  return { orders, fills, trades, signals, equity };
}

const circular: Record<string, unknown> = { name: 'loop' };
circular['self'] = circular;

/** One bad row each: how it spoils the batch, and which rows must be missing afterwards (the rest is kept). */
const BAD: readonly {
  readonly name: string;
  readonly spoil: (b: ReturnType<typeof goodBatch>) => void;
  readonly field: string;
  readonly reason?: string;
  readonly missing: Partial<Record<keyof RunBatch, number[]>>;
}[] = [
  {
    name: 'an order with a NaN quantity (its fill, its signal and the trade that fill closed go with it)',
    spoil: (b) => (b.orders[1] = { ...b.orders[1]!, quantity: NaN }),
    field: 'quantity',
    missing: { orders: [2], fills: [2], trades: [1], signals: [2] },
  },
  {
    name: 'an order with an unknown side',
    spoil: (b) => (b.orders[2] = { ...b.orders[2]!, side: 'long' as never }),
    field: 'side',
    missing: { orders: [3], fills: [3], signals: [3] },
  },
  {
    name: 'a fill with a string price (the trade it closed goes with it)',
    spoil: (b) => (b.fills[1] = { ...b.fills[1]!, price: '102' as never }),
    field: 'price',
    missing: { fills: [2], trades: [1] },
  },
  {
    name: 'a trade with a NaN pnl',
    spoil: (b) => (b.trades[0] = { ...b.trades[0]!, pnl: NaN }),
    field: 'pnl',
    missing: { trades: [1] },
  },
  {
    name: 'a signal with circular metadata',
    spoil: (b) =>
      (b.signals[0] = { ...b.signals[0]!, signal: { ...b.signals[0]!.signal, metadata: circular } }),
    field: 'metadata',
    reason: 'metadata cannot be stored as JSON (Converting circular structure to JSON)',
    missing: { signals: [1] },
  },
  {
    name: 'a signal with BigInt metadata',
    spoil: (b) =>
      (b.signals[1] = { ...b.signals[1]!, signal: { ...b.signals[1]!.signal, metadata: { big: 10n } } }),
    field: 'metadata',
    missing: { signals: [2] },
  },
  {
    name: 'a signal with no action',
    spoil: (b) => {
      const { action: _, ...rest } = b.signals[2]!.signal;
      b.signals[2] = { ...b.signals[2]!, signal: rest as never };
    },
    field: 'action',
    missing: { signals: [3] },
  },
  {
    name: 'a signal with a NaN limit price',
    spoil: (b) => (b.signals[0] = { ...b.signals[0]!, signal: { ...b.signals[0]!.signal, price: NaN } }),
    field: 'price',
    missing: { signals: [1] },
  },
  {
    name: 'an equity point with a NaN equity',
    spoil: (b) => (b.equity[1] = { ...b.equity[1]!, equity: NaN }),
    field: 'equity',
    missing: { equity: [1] },
  },
];

const STORES: readonly [string, () => RunStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['SqliteStore', () => new SqliteStore(freshPath())],
  ['ThreadedSqliteStore', () => new ThreadedSqliteStore(freshPath())],
];

/** Keys of the rows a stored run holds, per table (signals by the order they became, equity by position). */
function keys(run: NonNullable<ReturnType<RunStore['readRun']>>) {
  return {
    orders: run.orders.map((o) => o.id),
    fills: run.fills.map((f) => f.id),
    trades: run.trades.map((t) => t.id),
    signals: run.signals.map((s) => s.orderId ?? -1),
    equity: run.equity.map((p) => p.ts),
  };
}

describe.each(STORES)('%s: one bad row in a batch', (_name, makeStore) => {
  it.each(BAD)('$name: skipped and recorded; every other row of the batch is stored', async (bad) => {
    const store = makeStore();
    try {
      store.startRun(aRun());
      const batch = goodBatch();
      bad.spoil(batch);
      store.writeBatch('run-1', batch);
      // The run goes on: a later batch is stored, and the run ends as it would have.
      const later = {
        orders: [],
        fills: [],
        trades: [],
        signals: [],
        equity: [{ ts: T + 9 * DAY, equity: 1, cash: 1 }],
      };
      store.writeBatch('run-1', later);
      store.endRun('run-1', { status: 'completed', endedAt: T + 10 * DAY });
      await store.flush();
      const run = store.readRun('run-1');
      expect(run?.status).toBe('completed');
      const good = goodBatch();
      const expected = {
        orders: good.orders.map((o) => o.id).filter((id) => !bad.missing.orders?.includes(id)),
        fills: good.fills.map((f) => f.id).filter((id) => !bad.missing.fills?.includes(id)),
        trades: good.trades.map((t) => t.id).filter((id) => !bad.missing.trades?.includes(id)),
        signals: good.signals.map((s) => s.orderId!).filter((id) => !bad.missing.signals?.includes(id)),
        equity: [
          ...good.equity.filter((_, i) => !bad.missing.equity?.includes(i)).map((p) => p.ts),
          T + 9 * DAY,
        ],
      };
      expect(keys(run!)).toStrictEqual(expected);
      const skippedCount = Object.values(bad.missing).reduce((n, ids) => n + ids.length, 0);
      expect(run!.skippedRows).toBe(skippedCount);
      expect(run!.skipped).toHaveLength(skippedCount);
      // The bad row is named first, with its field and value; its dependants follow.
      expect(run!.skipped[0]).toMatchObject({ field: bad.field });
      expect(run!.skipped[0]!.reason).toContain(bad.field);
      expect(run!.skipped[0]!.value).not.toBeNull();
      if (bad.reason !== undefined) expect(run!.skipped[0]!.reason).toBe(bad.reason);
    } finally {
      store.close();
    }
  });
});

describe('the SQLite file after a batch with bad rows', () => {
  it('holds no NULL where a number was required, no orphan, and passes integrity_check', async () => {
    const path = freshPath();
    const store = new ThreadedSqliteStore(path);
    store.startRun(aRun());
    const batch = goodBatch();
    for (const bad of BAD) bad.spoil(batch);
    store.writeBatch('run-1', batch);
    await store.flush();
    store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(
        n(
          'SELECT count(*) AS n FROM fills f WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.run_id = f.run_id AND o.id = f.order_id)',
        ),
      ).toBe(0);
      expect(n('SELECT count(*) AS n FROM signals WHERE quantity IS NULL OR price IS NOT NULL')).toBe(0);
      expect(n('SELECT count(*) AS n FROM equity WHERE equity IS NULL')).toBe(0);
      expect(n('SELECT skipped_rows AS n FROM runs')).toBe(n('SELECT count(*) AS n FROM skipped_rows'));
    } finally {
      db.close();
    }
  });
});
