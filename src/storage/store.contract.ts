// The suite every RunStore must pass, run against the memory, SQLite and threaded stores alike.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import type { Position } from '../model/order.ts';
import type { SignalRecord } from '../model/run.ts';
import { orderFieldsContract } from './store-orders.contract.ts';
import type { RunStore, StoredRun } from './store.ts';
import { aBatch, aFill, anOrder, aRun, aSignal, aTrade, equityPoints, someStats } from './store.fixture.ts';

/** Returns the storage error `fn` throws, failing the test when it throws nothing or something else. */
export function storageErrorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (isTradeflowError(e, 'TF_ERR_STORAGE')) return e;
    throw e;
  }
  throw new Error('expected a TF_ERR_STORAGE error, nothing was thrown');
}

/**
 * Returns the storage error that `write` causes, whether the call throws it or the store reports it at the
 * following `flush` (a store may write in the background); fails the test when neither does.
 */
export async function writeErrorOf(store: RunStore, write: () => void): Promise<Error> {
  try {
    write();
    await store.flush();
  } catch (e) {
    if (isTradeflowError(e, 'TF_ERR_STORAGE')) return e;
    throw e;
  }
  throw new Error('expected a TF_ERR_STORAGE error from the write or the flush after it, none came');
}

/**
 * Registers the suite every RunStore must pass; `makeStore` returns a new, empty store. Write failures are
 * awaited with `writeErrorOf`, so a store that reports them at the next flush passes the same tests.
 */
export function runStoreContract(name: string, makeStore: () => RunStore): void {
  describe(`RunStore contract: ${name}`, () => {
    let store: RunStore;
    beforeEach(() => {
      store = makeStore();
    });
    afterEach(() => {
      store.close();
    });
    const read = (id = 'run-1'): StoredRun => {
      const run = store.readRun(id);
      if (run === undefined) throw new Error(`run ${id} not found`);
      return run;
    };

    it('reads back a started run with no events', () => {
      const start = aRun();
      store.startRun(start);
      expect(read()).toStrictEqual({
        id: 'run-1',
        name: 'sma cross',
        kind: 'backtest',
        status: 'running',
        config: start.config,
        startedAt: start.startedAt,
        endedAt: null,
        stats: null,
        error: null,
        skippedRows: 0,
        skipped: [],
        orders: [],
        fills: [],
        trades: [],
        signals: [],
        equity: [],
        openPositions: [],
      });
    });

    it('returns undefined for a run it does not hold', () => {
      expect(store.readRun('nope')).toBeUndefined();
    });

    it('round-trips every event with the same shapes, optional fields absent', () => {
      store.startRun(aRun());
      const limit = anOrder({
        id: 2,
        side: 'sell',
        type: 'limit',
        price: 110.5,
        status: 'open',
        reason: 'r',
        signalReason: 's',
      });
      const { tsClosed: _, ...openOrder } = anOrder({ id: 3, status: 'open' });
      const fullSignal: SignalRecord = {
        ts: 5,
        strategy: 'ml',
        orderId: 2,
        signal: {
          symbol: 'ORCL',
          action: 'SELL',
          quantity: 3,
          price: 110.5,
          orderType: 'limit',
          reason: 'overbought',
          confidence: 0.75,
          metadata: { model: 'v2', features: [1.5, -2], nested: { ok: true } },
        },
      };
      const batch = aBatch({
        orders: [anOrder(), limit, openOrder],
        fills: [aFill(), aFill({ id: 2, quantity: 0.5, price: 99.125 })],
        trades: [aTrade(), aTrade({ id: 2, direction: -1, pnl: -3.75 })],
        signals: [aSignal(), fullSignal],
        equity: equityPoints(3),
      });
      store.writeBatch('run-1', batch);
      const run = read();
      expect(run.orders).toStrictEqual([anOrder(), limit, openOrder]);
      expect(run.fills).toStrictEqual(batch.fills);
      expect(run.trades).toStrictEqual(batch.trades);
      expect(run.signals).toStrictEqual(batch.signals);
      expect(run.equity).toStrictEqual(batch.equity);
    });

    it('keeps the account of each order, fill and trade', () => {
      store.startRun(aRun());
      const batch = aBatch({
        orders: [anOrder(), anOrder({ id: 2, account: 'paper_b' })],
        fills: [aFill(), aFill({ id: 2, orderId: 2, account: 'paper_b' })],
        trades: [aTrade({ account: 'paper_b' })],
      });
      store.writeBatch('run-1', batch);
      const run = read();
      expect(run.orders.map((o) => [o.id, o.account])).toStrictEqual([
        [1, 'default'],
        [2, 'paper_b'],
      ]);
      expect(run.fills.map((f) => [f.id, f.account])).toStrictEqual([
        [1, 'default'],
        [2, 'paper_b'],
      ]);
      expect(run.trades).toStrictEqual(batch.trades);
    });

    it('upserts orders by id across batches and within one', () => {
      store.startRun(aRun());
      const { tsClosed: _, ...open } = anOrder({ status: 'open' });
      store.writeBatch('run-1', aBatch({ orders: [open, anOrder({ id: 2, status: 'open' })] }));
      store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()] }));
      const cancelled = anOrder({ id: 2, status: 'cancelled', reason: 'eod' });
      store.writeBatch(
        'run-1',
        aBatch({ orders: [anOrder({ id: 2, status: 'open', quantity: 7 }), cancelled] }),
      );
      expect(read().orders).toStrictEqual([anOrder(), cancelled]);
      expect(read().fills).toStrictEqual([aFill()]);
    });

    it('appends signals and equity in write order across batches', () => {
      store.startRun(aRun());
      const points = equityPoints(5);
      store.writeBatch('run-1', aBatch({ equity: points.slice(0, 2), signals: [aSignal({ ts: 2 })] }));
      store.writeBatch('run-1', aBatch({ equity: points.slice(2), signals: [aSignal({ ts: 1 })] }));
      expect(read().equity).toStrictEqual(points);
      expect(read().signals.map((s) => s.ts)).toStrictEqual([2, 1]);
    });

    it('skips a fill whose order is not stored, with the trade it closed, and stores the rest of its batch', async () => {
      store.startRun(aRun());
      const { tsClosed: _, ...open } = anOrder({ status: 'open' });
      store.writeBatch('run-1', aBatch({ orders: [open], equity: equityPoints(2) }));
      const closing = aFill({ id: 3, orderId: 99, side: 'sell', ts: aTrade().exitTime });
      const batch = aBatch({
        orders: [anOrder(), anOrder({ id: 2 })],
        fills: [aFill(), aFill({ id: 2, orderId: 2 }), closing],
        trades: [aTrade(), aTrade({ id: 2, exitTime: aTrade().exitTime + 1 })],
        signals: [aSignal(), aSignal({ orderId: 99 })],
        equity: equityPoints(3, 1e12),
      });
      store.writeBatch('run-1', batch);
      await store.flush();
      const run = read();
      expect(run.orders).toStrictEqual([anOrder(), anOrder({ id: 2 })]);
      expect(run.fills).toStrictEqual([aFill(), aFill({ id: 2, orderId: 2 })]);
      expect(run.trades).toStrictEqual([aTrade({ id: 2, exitTime: aTrade().exitTime + 1 })]);
      expect(run.signals).toStrictEqual([aSignal()]);
      expect(run.equity).toStrictEqual([...equityPoints(2), ...equityPoints(3, 1e12)]);
      expect(run.skippedRows).toBe(3);
      expect(run.skipped.map((k) => [k.table, k.row, k.field, k.value])).toStrictEqual([
        ['fills', 'fill 3', 'orderId', '99'],
        ['trades', 'trade 1', 'exitTime', String(aTrade().exitTime)],
        ['signals', `signal of sma at ${aSignal().ts}`, 'orderId', '99'],
      ]);
      expect(run.skipped[0]?.reason).toMatch(/order 99 is not stored/);
      expect(run.skipped[1]?.reason).toMatch(/fill that closed it was skipped/);
    });

    it('lets a fill reference an order stored by an earlier batch', () => {
      store.startRun(aRun());
      store.writeBatch('run-1', aBatch({ orders: [anOrder({ id: 4 })] }));
      store.writeBatch('run-1', aBatch({ fills: [aFill({ orderId: 4 })] }));
      expect(read().fills).toStrictEqual([aFill({ orderId: 4 })]);
    });

    it('skips rows whose fill or trade id is already stored, keeping the rest of their batch', async () => {
      store.startRun(aRun());
      store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()], trades: [aTrade()] }));
      store.writeBatch('run-1', aBatch({ equity: equityPoints(1), fills: [aFill()] }));
      store.writeBatch('run-1', aBatch({ fills: [aFill({ id: 5, ts: 1 }), aFill({ id: 5, ts: 2 })] }));
      store.writeBatch('run-1', aBatch({ equity: equityPoints(1, 1e12), trades: [aTrade()] }));
      await store.flush();
      const run = read();
      expect(run.fills).toStrictEqual([aFill(), aFill({ id: 5, ts: 1 })]);
      expect(run.trades).toStrictEqual([aTrade()]);
      expect(run.equity).toStrictEqual([...equityPoints(1), ...equityPoints(1, 1e12)]);
      expect(run.skipped.map((k) => `${k.row}: ${k.reason}`)).toStrictEqual([
        'fill 1: a row with this id is already stored for this run',
        'fill 5: a row with this id is already stored for this run',
        'trade 1: a row with this id is already stored for this run',
      ]);
    });

    it('skips a row holding a value it cannot store (NaN, a string for a number, an unknown enum, metadata that is not JSON), never storing it as null', async () => {
      store.startRun(aRun());
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      const batch = aBatch({
        orders: [anOrder(), anOrder({ id: 2, quantity: NaN }), anOrder({ id: 3, side: 'up' as never })],
        fills: [aFill(), aFill({ id: 2, orderId: 2 }), aFill({ id: 3, price: '101' as never })],
        signals: [
          aSignal(),
          aSignal({ signal: { symbol: 'ORCL', action: 'BUY', metadata: circular } }),
          aSignal({ signal: { symbol: 'ORCL', action: 'BUY', metadata: { n: 1n } } }),
          aSignal({ signal: { action: 'BUY' } as never }),
        ],
        equity: [...equityPoints(2), { ts: 3, equity: NaN, cash: 1 }],
      });
      store.writeBatch('run-1', batch);
      await store.flush();
      const run = read();
      expect(run.orders).toStrictEqual([anOrder()]);
      expect(run.fills).toStrictEqual([aFill()]);
      expect(run.signals).toStrictEqual([aSignal()]);
      expect(run.equity).toStrictEqual(equityPoints(2));
      expect(run.skippedRows).toBe(8);
      expect(run.skipped.map((k) => [k.table, k.row, k.field, k.value])).toStrictEqual([
        ['orders', 'order 2', 'quantity', 'NaN'],
        ['orders', 'order 3', 'side', '"up"'],
        ['fills', 'fill 3', 'price', '"101"'],
        ['signals', `signal of sma at ${aSignal().ts}`, 'metadata', '[object Object]'],
        ['signals', `signal of sma at ${aSignal().ts}`, 'metadata', '[object Object]'],
        ['signals', `signal of sma at ${aSignal().ts}`, 'symbol', 'undefined'],
        ['equity', 'equity point at 3', 'equity', 'NaN'],
        // Checked by the keys after the values: its order 2 was skipped, so it goes too.
        ['fills', 'fill 2', 'orderId', '2'],
      ]);
    });

    it('describes the first 100 rows it skips in a run and counts them all', async () => {
      store.startRun(aRun());
      const bad = (from: number) =>
        Array.from({ length: 70 }, (_, i) => ({ ts: from + i, equity: NaN, cash: 1 }));
      store.writeBatch('run-1', aBatch({ equity: [...bad(0), ...equityPoints(1)] }));
      store.writeBatch('run-1', aBatch({ equity: bad(100) }));
      await store.flush();
      const run = read();
      expect(run.skippedRows).toBe(140);
      expect(run.skipped).toHaveLength(100);
      expect(run.skipped[99]?.row).toBe('equity point at 129');
      expect(run.equity).toStrictEqual(equityPoints(1));
      expect(store.listRuns()[0]?.skippedRows).toBe(140);
      expect(store.readSkipped('run-1')).toStrictEqual({ count: 140, rows: run.skipped });
      expect(store.readSkipped('nope')).toBeUndefined();
    });

    it('refuses to write to, end, or restart runs in the wrong state', async () => {
      const message = async (write: () => void) => (await writeErrorOf(store, write)).message;
      expect(await message(() => store.writeBatch('ghost', aBatch()))).toMatch(/"ghost".*startRun/);
      expect(await message(() => store.endRun('ghost', { status: 'completed', endedAt: 1 }))).toMatch(
        /"ghost"/,
      );
      store.startRun(aRun());
      expect(await message(() => store.startRun(aRun({ name: 'again' })))).toMatch(/already exists/);
      expect(await message(() => store.endRun('run-1', { status: 'running', endedAt: 1 }))).toMatch(
        /running/,
      );
      store.endRun('run-1', { status: 'completed', endedAt: 2 });
      expect(await message(() => store.writeBatch('run-1', aBatch()))).toMatch(/has ended \(completed\)/);
      expect(await message(() => store.endRun('run-1', { status: 'failed', endedAt: 3 }))).toMatch(
        /already ended/,
      );
      expect(read().name).toBe('sma cross');
    });

    it('reports a failed write once, and applies no write made after it before the report', async () => {
      store.startRun(aRun());
      // A batch for a run that was never started fails whole: there is no run to keep its rows with.
      const failing = aBatch({ fills: [aFill({ orderId: 99 })] });
      const later = aBatch({ equity: equityPoints(1) });
      // Each step either throws the failure or not; exactly one of them reports it.
      const reports: { step: string; message: string }[] = [];
      const step = async (name: string, call: () => unknown) => {
        try {
          await call();
        } catch (e) {
          if (!isTradeflowError(e, 'TF_ERR_STORAGE')) throw e;
          reports.push({ step: name, message: e.message });
        }
      };
      await step('failing write', () => store.writeBatch('ghost', failing));
      await step('later write', () => store.writeBatch('run-1', later));
      await step('flush', () => store.flush());
      expect(reports).toHaveLength(1);
      expect(reports[0]?.message).toMatch(/no run "ghost"/);
      // The later batch counts only when it was made after the report, by the first call.
      expect(read().equity).toHaveLength(reports[0]?.step === 'failing write' ? 1 : 0);
      await store.flush();
      store.writeBatch('run-1', later);
      await store.flush();
      expect(read().equity).toHaveLength(reports[0]?.step === 'failing write' ? 2 : 1);
    });

    it('flushes with nothing written, and after writes that succeed', async () => {
      await store.flush();
      store.startRun(aRun());
      store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()] }));
      store.endRun('run-1', { status: 'completed', endedAt: 2 });
      await store.flush();
      expect(read()).toMatchObject({ status: 'completed', fills: [aFill()] });
    });

    it('records how a run ended: status, time, stats (Infinity kept), error and open positions', () => {
      store.startRun(aRun());
      const positions: Position[] = [{ strategy: 'sma', symbol: 'ORCL', quantity: -5, avgPrice: 101.5 }];
      const stats = someStats();
      store.endRun('run-1', {
        status: 'failed',
        endedAt: 99,
        stats,
        openPositions: positions,
        error: 'feed lost',
      });
      const run = read();
      expect(run).toMatchObject({
        status: 'failed',
        endedAt: 99,
        error: 'feed lost',
        openPositions: positions,
      });
      expect(run.stats).toStrictEqual(stats);
      expect(run.stats?.profitFactor).toBe(Infinity);
      store.startRun(aRun({ id: 'run-2' }));
      store.endRun('run-2', { status: 'completed', endedAt: 100 });
      expect(read('run-2')).toMatchObject({
        status: 'completed',
        stats: null,
        error: null,
        openPositions: [],
      });
    });

    it('keeps runs apart, even with the same event ids', async () => {
      store.startRun(aRun());
      store.startRun(aRun({ id: 'run-2' }));
      store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()] }));
      store.writeBatch(
        'run-2',
        aBatch({ orders: [anOrder({ symbol: 'MSFT' })], fills: [aFill({ symbol: 'MSFT' })] }),
      );
      const fillOf7 = aBatch({ fills: [aFill({ id: 2, orderId: 7 })] });
      store.writeBatch('run-1', aBatch({ orders: [anOrder({ id: 7 })] }));
      store.writeBatch('run-2', fillOf7);
      await store.flush();
      expect(read('run-2').skipped.map((k) => k.reason)).toStrictEqual([
        'its order 7 is not stored for this run (skipped, or never written)',
      ]);
      expect(read('run-1').fills.map((f) => f.symbol)).toStrictEqual(['ORCL']);
      expect(read('run-2').orders.map((o) => o.symbol)).toStrictEqual(['MSFT']);
    });

    it('returns snapshots that later writes do not change', () => {
      store.startRun(aRun());
      store.writeBatch('run-1', aBatch({ equity: equityPoints(2) }));
      const snapshot = read();
      store.writeBatch('run-1', aBatch({ equity: equityPoints(2, 1e12) }));
      expect(snapshot.equity).toHaveLength(2);
      expect(read().equity).toHaveLength(4);
    });

    it('lists runs newest first without their events, with paging', () => {
      store.startRun(aRun({ id: 'a', startedAt: 10 }));
      store.startRun(aRun({ id: 'b', startedAt: 30 }));
      store.startRun(aRun({ id: 'c', startedAt: 20 }));
      store.startRun(aRun({ id: 'd', startedAt: 20 }));
      store.endRun('b', { status: 'completed', endedAt: 40, stats: someStats() });
      expect(store.listRuns().map((r) => r.id)).toStrictEqual(['b', 'd', 'c', 'a']);
      expect(store.listRuns({ limit: 2, offset: 1 }).map((r) => r.id)).toStrictEqual(['d', 'c']);
      expect(store.listRuns({ offset: 4 })).toStrictEqual([]);
      expect(store.listRuns({ limit: 1 })).toStrictEqual([
        {
          id: 'b',
          name: 'sma cross',
          kind: 'backtest',
          status: 'completed',
          startedAt: 30,
          endedAt: 40,
          stats: someStats(),
          error: null,
          skippedRows: 0,
        },
      ]);
      storageErrorOf(() => store.listRuns({ limit: -1 }));
      storageErrorOf(() => store.listRuns({ offset: 1.5 }));
    });

    it('writes 100k equity points in batches of 10k and reads them all back', () => {
      store.startRun(aRun());
      const points = equityPoints(100_000);
      for (let i = 0; i < points.length; i += 10_000) {
        store.writeBatch('run-1', aBatch({ equity: points.slice(i, i + 10_000) }));
      }
      const equity = read().equity;
      expect(equity).toHaveLength(100_000);
      expect(equity[0]).toStrictEqual(points[0]);
      expect(equity[99_999]).toStrictEqual({
        ts: points[99_999]?.ts,
        equity: 10_000 + 99_999 * 0.25,
        cash: 5_000.125,
      });
    });

    it('refuses every call once closed', async () => {
      store.startRun(aRun());
      store.close();
      expect(storageErrorOf(() => store.readRun('run-1')).message).toMatch(/closed/);
      storageErrorOf(() => store.startRun(aRun({ id: 'x' })));
      storageErrorOf(() => store.writeBatch('run-1', aBatch()));
      storageErrorOf(() => store.endRun('run-1', { status: 'completed', endedAt: 1 }));
      storageErrorOf(() => store.listRuns());
      storageErrorOf(() => store.readSkipped('run-1'));
      await expect(store.flush()).rejects.toThrow(/closed/);
      store.close();
    });
  });
  orderFieldsContract(name, makeStore);
}
