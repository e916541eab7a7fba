import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isTradeflowError } from '../core/errors.ts';
import type { EquityPoint } from '../model/run.ts';
import type { FillRow, OrderRow, SignalRow, TradeRow } from './rows.ts';
import {
  decodeFill,
  decodeOrder,
  decodeSignal,
  decodeTrade,
  encodeEquity,
  encodeFill,
  encodeOrder,
  encodeSignal,
  encodeTrade,
} from './rows.ts';
import type { RunEndRow, RunRow } from './run-row.ts';
import { decodeConfig, decodePositions, decodeRunSummary, encodeRunEnd, encodeRunStart } from './run-row.ts';
import { migrate } from './schema.ts';
import type {
  ListRunsOptions,
  RunBatch,
  RunEnd,
  RunStart,
  RunStore,
  RunSummary,
  StoredRun,
} from './store.ts';
import { batchError, checkEnd, checkWritable, ORDER_FIRST, pageOf, storageError } from './store-rules.ts';

const ORDER_COLUMNS =
  'id, strategy, symbol, side, quantity, type, price, ts_created, status, ts_closed, reason, signal_reason';
const FILL_COLUMNS = 'id, order_id, strategy, symbol, side, quantity, price, commission, ts';
const TRADE_COLUMNS =
  'id, strategy, symbol, direction, quantity, entry_time, entry_price, exit_time, exit_price, pnl, commission, bars';
const SIGNAL_COLUMNS =
  'ts, strategy, symbol, action, quantity, price, order_type, reason, confidence, metadata, order_id';
const RUN_COLUMNS = 'id, name, kind, status, config, started_at, ended_at, stats, error, open_positions';

const EQUITY_CHUNK = 100;

const params = (columns: string) => columns.replace(/(\w+)/g, '@$1');
const updates = (columns: string) =>
  columns
    .split(', ')
    .filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');

function prepareStatements(db: Database.Database) {
  return {
    insertRun: db.prepare<[RunRow]>(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (${params(RUN_COLUMNS)})`),
    runStatus: db.prepare<[string], { status: string }>('SELECT status FROM runs WHERE id = ?'),
    endRun: db.prepare<[string, RunEndRow]>(
      `UPDATE runs SET status = @status, ended_at = @ended_at, stats = @stats, error = @error,
       open_positions = @open_positions WHERE id = ?`,
    ),
    upsertOrder: db.prepare<[string, OrderRow]>(
      `INSERT INTO orders (run_id, ${ORDER_COLUMNS}) VALUES (?, ${params(ORDER_COLUMNS)})
       ON CONFLICT (run_id, id) DO UPDATE SET ${updates(ORDER_COLUMNS)}`,
    ),
    insertFill: db.prepare<[string, FillRow]>(
      `INSERT INTO fills (run_id, ${FILL_COLUMNS}) VALUES (?, ${params(FILL_COLUMNS)})`,
    ),
    insertTrade: db.prepare<[string, TradeRow]>(
      `INSERT INTO trades (run_id, ${TRADE_COLUMNS}) VALUES (?, ${params(TRADE_COLUMNS)})`,
    ),
    insertSignal: db.prepare<[string, SignalRow]>(
      `INSERT INTO signals (run_id, ${SIGNAL_COLUMNS}) VALUES (?, ${params(SIGNAL_COLUMNS)})`,
    ),
    insertEquity: db.prepare<unknown[]>('INSERT INTO equity (run_id, ts, equity, cash) VALUES (?, ?, ?, ?)'),
    insertEquityChunk: db.prepare<unknown[]>(
      `INSERT INTO equity (run_id, ts, equity, cash) VALUES ${Array<string>(EQUITY_CHUNK).fill('(?, ?, ?, ?)').join(', ')}`,
    ),
    getRun: db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    listRuns: db.prepare<[number, number], RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    ),
    orders: db.prepare<[string], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE run_id = ? ORDER BY id`,
    ),
    fills: db.prepare<[string], FillRow>(`SELECT ${FILL_COLUMNS} FROM fills WHERE run_id = ? ORDER BY id`),
    trades: db.prepare<[string], TradeRow>(
      `SELECT ${TRADE_COLUMNS} FROM trades WHERE run_id = ? ORDER BY id`,
    ),
    signals: db.prepare<[string], SignalRow>(
      `SELECT ${SIGNAL_COLUMNS} FROM signals WHERE run_id = ? ORDER BY seq`,
    ),
    equity: db.prepare<[string], EquityPoint>(
      'SELECT ts, equity, cash FROM equity WHERE run_id = ? ORDER BY seq',
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * Writes equity points EQUITY_CHUNK rows per statement: a statement call costs about as much as the row it
 * inserts, so chunks halve the time of a 10k-point batch. Bound parameters keep every double exact.
 */
function writeEquity(s: Statements, runId: string, points: readonly EquityPoint[]): void {
  const params: unknown[] = new Array<unknown>(EQUITY_CHUNK * 4);
  let n = 0;
  for (const p of points) {
    const row = encodeEquity(p);
    const k = n * 4;
    params[k] = runId;
    params[k + 1] = row.ts;
    params[k + 2] = row.equity;
    params[k + 3] = row.cash;
    if (++n === EQUITY_CHUNK) {
      s.insertEquityChunk.run(params);
      n = 0;
    }
  }
  for (let k = 0; k < n * 4; k += 4) s.insertEquity.run(params.slice(k, k + 4));
}

/** Runs one row's statement, turning a constraint failure into a sentence about that row. */
function writeRow(what: string, write: () => unknown, parent?: string): void {
  try {
    write();
  } catch (e) {
    const code = e instanceof Database.SqliteError ? e.code : '';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && parent !== undefined) {
      throw storageError(what, `references ${parent}, which is not stored for this run${ORDER_FIRST}`, e);
    }
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      throw storageError(what, 'is already stored for this run', e);
    throw storageError(what, e instanceof Error ? e.message : String(e), e);
  }
}

function openDatabase(path: string, where: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode may lose the last commits on power loss, never consistency: batches stay whole.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, where);
    return db;
  } catch (e) {
    db?.close();
    if (isTradeflowError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw storageError(
      where,
      `cannot open the database (${why}); check that its folder is writable, that the file is a tradeflow database, and that no other process holds it`,
      e,
    );
  }
}

/** The embedded default store: one SQLite file in WAL mode (or ':memory:'), one transaction per batch. */
export class SqliteStore implements RunStore {
  /** The database file, or ':memory:'. */
  readonly path: string;
  readonly #where: string;
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #writeBatch: (runId: string, batch: RunBatch) => void;
  readonly #readRun: (runId: string) => StoredRun | undefined;

  constructor(path: string) {
    this.path = path;
    this.#where = `run store ${path}`;
    this.#db = openDatabase(path, this.#where);
    this.#s = prepareStatements(this.#db);
    const s = this.#s;
    const write = this.#db.transaction((runId: string, batch: RunBatch) => {
      // Orders first: fills and signals of this batch may point at orders of this batch.
      for (const o of batch.orders) writeRow(`order ${o.id}`, () => s.upsertOrder.run(runId, encodeOrder(o)));
      for (const f of batch.fills) {
        writeRow(`fill ${f.id}`, () => s.insertFill.run(runId, encodeFill(f)), `order ${f.orderId}`);
      }
      for (const t of batch.trades) writeRow(`trade ${t.id}`, () => s.insertTrade.run(runId, encodeTrade(t)));
      for (const g of batch.signals) {
        const what = `signal of ${g.strategy} at ${g.ts}`;
        writeRow(what, () => s.insertSignal.run(runId, encodeSignal(g)), `order ${g.orderId}`);
      }
      writeEquity(s, runId, batch.equity);
    });
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead of failing midway.
    this.#writeBatch = (runId, batch) => write.immediate(runId, batch);
    // One read transaction, so that a run read while it is written is one consistent snapshot.
    const read = this.#db.transaction((runId: string): StoredRun | undefined => {
      const row = s.getRun.get(runId);
      if (row === undefined) return undefined;
      return {
        ...decodeRunSummary(row),
        config: decodeConfig(row),
        orders: s.orders.all(runId).map(decodeOrder),
        fills: s.fills.all(runId).map(decodeFill),
        trades: s.trades.all(runId).map(decodeTrade),
        signals: s.signals.all(runId).map(decodeSignal),
        equity: s.equity.all(runId),
        openPositions: decodePositions(row),
      };
    });
    this.#readRun = (runId) => read.deferred(runId);
  }

  startRun(run: RunStart): void {
    this.#guard(`cannot start run "${run.id}"`, () => {
      if (this.#s.runStatus.get(run.id) !== undefined) {
        throw storageError(this.#where, `run "${run.id}" already exists; give each run a new id`);
      }
      this.#s.insertRun.run(encodeRunStart(run));
    });
  }

  writeBatch(runId: string, batch: RunBatch): void {
    this.#guard(`cannot write a batch for run "${runId}"`, () => {
      checkWritable(this.#where, runId, this.#s.runStatus.get(runId)?.status);
      try {
        this.#writeBatch(runId, batch);
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  endRun(runId: string, end: RunEnd): void {
    this.#guard(`cannot end run "${runId}"`, () => {
      checkEnd(this.#where, runId, this.#s.runStatus.get(runId)?.status, end.status);
      this.#s.endRun.run(runId, encodeRunEnd(runId, end));
    });
  }

  readRun(runId: string): StoredRun | undefined {
    return this.#guard(`cannot read run "${runId}"`, () => this.#readRun(runId));
  }

  listRuns(options?: ListRunsOptions): RunSummary[] {
    return this.#guard('cannot list runs', () => {
      const { limit, offset } = pageOf(this.#where, options);
      return this.#s.listRuns.all(limit, offset).map(decodeRunSummary);
    });
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `fn`, passing coded errors through and wrapping anything else (a closed or broken database). */
  #guard<T>(doing: string, fn: () => T): T {
    if (!this.#db.open) throw storageError(this.#where, `${doing}: the store is closed`);
    try {
      return fn();
    } catch (e) {
      // Errors that already name this store pass through; anything else (SQLite, a corrupt row) is wrapped.
      if (isTradeflowError(e) && e.message.startsWith(`${this.#where}:`)) throw e;
      throw storageError(this.#where, `${doing}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
}
