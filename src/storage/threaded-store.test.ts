import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';
import { runStoreContract, storageErrorOf, writeErrorOf } from './store.contract.ts';
import { liveStoreContract } from './store-live.contract.ts';
import { aBatch, aFill, anOrder, aRun, aTrade, equityPoints } from './store.fixture.ts';
import { ThreadedSqliteStore } from './threaded-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-threaded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `nested/${++files}/runs.db`);

runStoreContract('ThreadedSqliteStore', () => new ThreadedSqliteStore(freshPath()));
liveStoreContract('ThreadedSqliteStore', () => new ThreadedSqliteStore(freshPath()));

describe('ThreadedSqliteStore', () => {
  it('has every write durable in the file, as another connection sees it, once flush resolves', async () => {
    const path = freshPath();
    const store = new ThreadedSqliteStore(path);
    store.startRun(aRun());
    const batch = aBatch({
      orders: [anOrder()],
      fills: [aFill()],
      trades: [aTrade()],
      equity: equityPoints(3),
    });
    store.writeBatch('run-1', batch);
    store.endRun('run-1', { status: 'completed', endedAt: 9 });
    await store.flush();
    const other = new SqliteStore(path);
    expect(other.readRun('run-1')).toMatchObject({
      status: 'completed',
      fills: batch.fills,
      equity: batch.equity,
    });
    other.close();
    store.close();
  });

  it('stores the rest of a batch whose fill has no order', async () => {
    const path = freshPath();
    const store = new ThreadedSqliteStore(path);
    store.startRun(aRun());
    store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()], equity: equityPoints(1) }));
    const batch = aBatch({
      orders: [anOrder({ id: 2 })],
      fills: [aFill({ id: 2, orderId: 2 }), aFill({ id: 3, orderId: 3 })],
      trades: [aTrade()],
      equity: equityPoints(5, 1e12),
    });
    store.writeBatch('run-1', batch);
    await store.flush();
    store.close();
    const db = new Database(path, { readonly: true });
    const count = (table: string) =>
      db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n;
    expect(['orders', 'fills', 'trades', 'equity', 'skipped_rows'].map(count)).toStrictEqual([2, 2, 1, 6, 1]);
    db.close();
  });

  it('reports a file it cannot open at the next call or flush, naming the path, and keeps refusing', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const path = join(blocker, 'runs.db');
    const store = new ThreadedSqliteStore(path);
    const e = await writeErrorOf(store, () => store.startRun(aRun()));
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/cannot open/);
    expect((await writeErrorOf(store, () => store.startRun(aRun()))).message).toMatch(/cannot open/);
    expect(storageErrorOf(() => store.listRuns()).message).toMatch(/cannot open/);
    store.close();
  });

  it('still stores the writes made before close, without a flush', async () => {
    const path = freshPath();
    const store = new ThreadedSqliteStore(path);
    store.startRun(aRun());
    store.writeBatch('run-1', aBatch({ equity: equityPoints(2) }));
    store.close();
    await vi.waitFor(
      () => {
        const other = new SqliteStore(path);
        try {
          expect(other.readRun('run-1')?.equity).toHaveLength(2);
        } finally {
          other.close();
        }
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it('needs a file: refuses an in-memory database', () => {
    expect(storageErrorOf(() => new ThreadedSqliteStore(':memory:')).message).toMatch(
      /needs a database file/,
    );
  });
});
