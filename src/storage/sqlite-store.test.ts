import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './schema.ts';
import { SqliteStore } from './sqlite-store.ts';
import { runStoreContract, storageErrorOf } from './store.contract.ts';
import { liveStoreContract } from './store-live.contract.ts';
import { aBatch, aFill, anOrder, aRun, aTrade, equityPoints } from './store.fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `nested/${++files}/runs.db`);

runStoreContract('SqliteStore :memory:', () => new SqliteStore(':memory:'));
runStoreContract('SqliteStore file', () => new SqliteStore(freshPath()));
liveStoreContract('SqliteStore :memory:', () => new SqliteStore(':memory:'));
liveStoreContract('SqliteStore file', () => new SqliteStore(freshPath()));

/** Undoes migration 7 (managed orders, validator types), so that a test can go back to an older shape. */
const UNDO_7 = `ALTER TABLE orders DROP COLUMN ref; ALTER TABLE orders DROP COLUMN time_in_force; ALTER TABLE orders DROP COLUMN stop_price; ALTER TABLE orders DROP COLUMN trail_amount; ALTER TABLE orders DROP COLUMN trail_percent; ALTER TABLE orders DROP COLUMN triggered; ALTER TABLE orders DROP COLUMN filled_quantity; ALTER TABLE orders DROP COLUMN avg_fill_price; ALTER TABLE orders DROP COLUMN bracket_stop_loss; ALTER TABLE orders DROP COLUMN bracket_take_profit; ALTER TABLE orders DROP COLUMN parent_id; ALTER TABLE orders DROP COLUMN oco_id; ALTER TABLE orders DROP COLUMN risk_rule;
  ALTER TABLE strategy_configurations DROP COLUMN validator_type;`;
const UNDO_8 = 'ALTER TABLE strategy_configurations DROP COLUMN risk;';

describe('SqliteStore', () => {
  it('creates parent folders and opens in WAL mode with foreign keys at the current schema version', () => {
    const path = freshPath();
    new SqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps committed batches across a reopen, and reopening does not migrate again', () => {
    const path = freshPath();
    const first = new SqliteStore(path);
    first.startRun(aRun());
    first.writeBatch(
      'run-1',
      aBatch({ orders: [anOrder()], fills: [aFill()], trades: [aTrade()], equity: equityPoints(3) }),
    );
    const written = first.readRun('run-1');
    first.close();
    const second = new SqliteStore(path);
    expect(second.readRun('run-1')).toStrictEqual(written);
    second.close();
  });

  it('stores the rest of a batch whose fill has no order, as another connection sees it', () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    store.startRun(aRun());
    store.writeBatch('run-1', aBatch({ orders: [anOrder()], fills: [aFill()], equity: equityPoints(1) }));
    const batch = aBatch({
      orders: [anOrder({ id: 2 })],
      fills: [aFill({ id: 2, orderId: 2 }), aFill({ id: 3, orderId: 3 })],
      trades: [aTrade()],
      equity: equityPoints(5, 1e12),
    });
    store.writeBatch('run-1', batch);
    const db = new Database(path, { readonly: true });
    const count = (table: string) =>
      db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n;
    expect(['orders', 'fills', 'trades', 'equity', 'skipped_rows'].map(count)).toStrictEqual([2, 2, 1, 6, 1]);
    expect(db.prepare('SELECT skipped_rows AS n FROM runs').get()).toStrictEqual({ n: 1 });
    db.close();
    store.close();
  });

  it('migrates a database of schema 5: its runs get owners and skip counts, its orders client ids, nothing is lost', () => {
    const path = freshPath();
    new SqliteStore(path).close();
    const db = new Database(path);
    // Back to the shape of version 5, with a run in it.
    db.exec(`${UNDO_8} ${UNDO_7}
      DROP INDEX orders_client_id; ALTER TABLE orders DROP COLUMN client_order_id;
      DROP TABLE live_state; DROP TABLE live_bars;
      DROP TABLE skipped_rows; DROP INDEX runs_status;
      ALTER TABLE runs DROP COLUMN owner_pid; ALTER TABLE runs DROP COLUMN owner_host;
      ALTER TABLE runs DROP COLUMN owner_start; ALTER TABLE runs DROP COLUMN skipped_rows;
      INSERT INTO runs (id, name, kind, status, config, started_at) VALUES ('old', 'o', 'backtest', 'running', '{}', 1);
      INSERT INTO orders (run_id, id, strategy, symbol, side, quantity, type, ts_created, status)
        VALUES ('old', 7, 's', 'X', 'buy', 1, 'market', 1, 'open');`);
    db.pragma('user_version = 4');
    db.close();
    const store = new SqliteStore(path);
    // A run recorded before owners were: nothing says whose it is, so it is left as it was.
    expect(store.readRun('old')).toMatchObject({ status: 'running', skippedRows: 0, skipped: [] });
    store.startRun(aRun());
    store.close();
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(after.prepare("SELECT owner_pid AS pid FROM runs WHERE id = 'run-1'").get()).toStrictEqual({
      pid: process.pid,
    });
    expect(after.prepare('SELECT client_order_id AS id FROM orders').get()).toStrictEqual({ id: 'old-7' });
    after.close();
  });

  it('enforces fill -> order in the schema itself, not only in the store', () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    store.startRun(aRun());
    store.close();
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    const insert = () =>
      db
        .prepare(
          `INSERT INTO fills (run_id, id, order_id, strategy, symbol, side, quantity, price, commission, ts)
           VALUES ('run-1', 1, 99, 's', 'X', 'buy', 1, 1, 0, 1)`,
        )
        .run();
    expect(insert).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('reads rows written without an account (before accounts existed) as the default account', () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    store.startRun(aRun());
    const db = new Database(path);
    db.exec(
      `INSERT INTO orders (run_id, id, strategy, symbol, side, quantity, type, ts_created, status)
         VALUES ('run-1', 1, 'sma', 'ORCL', 'buy', 10, 'market', 1, 'open');
       INSERT INTO trades (run_id, id, strategy, symbol, direction, quantity, entry_time, entry_price, exit_time,
         exit_price, pnl, commission, bars)
         VALUES ('run-1', 1, 'sma', 'ORCL', 1, 10, 1, 100, 2, 101, 10, 0, 1);`,
    );
    db.close();
    const run = store.readRun('run-1');
    expect(run?.orders.map((o) => o.account)).toStrictEqual(['default']);
    expect(run?.trades.map((t) => t.account)).toStrictEqual(['default']);
    store.close();
  });

  it('refuses a database written by a newer schema, naming the path', () => {
    const path = freshPath();
    new SqliteStore(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const e = storageErrorOf(() => new SqliteStore(path));
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/newer/);
  });

  it('reports a path it cannot open as a storage error naming the path', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const path = join(blocker, 'runs.db');
    const e = storageErrorOf(() => new SqliteStore(path));
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/cannot open/);
  });

  it('refuses a file that is not a database, naming the path', () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not an SQLite database, just text long enough to have a header '.repeat(20));
    expect(storageErrorOf(() => new SqliteStore(path)).message).toContain(path);
  });
});
