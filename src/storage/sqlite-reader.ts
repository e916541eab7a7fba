// Reads runs and their events back from a run database, over any connection to it.
import type Database from 'better-sqlite3';
import type { EquityPoint } from '../model/run.ts';
import { COLUMNS } from './flat-batch.ts';
import { decodeOrder, type OrderRow } from './order-rows.ts';
import type { FillRow, SignalRow, TradeRow } from './rows.ts';
import { decodeFill, decodeSignal, decodeTrade } from './rows.ts';
import type { RunRow } from './run-row.ts';
import { decodeConfig, decodePositions, decodeRunSummary } from './run-row.ts';
import type { RunSummary, SkippedRow, SkippedRows, StoredRun } from './store.ts';

/** The columns of `runs`, in the order RunRow lists them. */
export const RUN_COLUMNS =
  'id, name, kind, status, config, started_at, ended_at, stats, error, open_positions, owner_pid, owner_host, owner_start, skipped_rows';

const list = (columns: readonly string[]) => columns.join(', ');

/** Reads runs back from a run database, over any connection to it (the writer's own, or a read-only one). */
export class SqliteReader {
  readonly #s;
  readonly #readRun: (runId: string) => StoredRun | undefined;

  constructor(db: Database.Database) {
    const s = {
      getRun: db.prepare<[string], RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
      listRuns: db.prepare<[number, number], RunRow>(
        `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`,
      ),
      orders: db.prepare<[string], OrderRow>(
        `SELECT ${list(COLUMNS.orders)} FROM orders WHERE run_id = ? ORDER BY id`,
      ),
      fills: db.prepare<[string], FillRow>(
        `SELECT ${list(COLUMNS.fills)} FROM fills WHERE run_id = ? ORDER BY id`,
      ),
      trades: db.prepare<[string], TradeRow>(
        `SELECT ${list(COLUMNS.trades)} FROM trades WHERE run_id = ? ORDER BY id`,
      ),
      signals: db.prepare<[string], SignalRow>(
        `SELECT ${list(COLUMNS.signals)} FROM signals WHERE run_id = ? ORDER BY seq`,
      ),
      equity: db.prepare<[string], EquityPoint>(
        'SELECT ts, equity, cash FROM equity WHERE run_id = ? ORDER BY seq',
      ),
      skippedCount: db.prepare<[string], { skipped_rows: number }>(
        'SELECT skipped_rows FROM runs WHERE id = ?',
      ),
      skipped: db.prepare<[string], SkippedRow>(
        'SELECT tbl AS "table", row, field, value, reason FROM skipped_rows WHERE run_id = ? ORDER BY seq',
      ),
    };
    this.#s = s;
    // One read transaction, so that a run read while it is written is one consistent snapshot.
    const read = db.transaction((runId: string): StoredRun | undefined => {
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
        skipped: s.skipped.all(runId),
        openPositions: decodePositions(row),
      };
    });
    this.#readRun = (runId) => read.deferred(runId);
  }

  /** Reads a run with its events, or undefined when the database does not hold it. */
  readRun(runId: string): StoredRun | undefined {
    return this.#readRun(runId);
  }

  /** Reads the rows of a run the store skipped, or undefined when the database does not hold the run. */
  readSkipped(runId: string): SkippedRows | undefined {
    const row = this.#s.skippedCount.get(runId);
    if (row === undefined) return undefined;
    return { count: row.skipped_rows, rows: row.skipped_rows === 0 ? [] : this.#s.skipped.all(runId) };
  }

  /** Lists runs newest start first (ties: the later inserted first). */
  listRuns(limit: number, offset: number): RunSummary[] {
    return this.#s.listRuns.all(limit, offset).map(decodeRunSummary);
  }
}
