// The SQLite store's write path: a batch's rows in multi-row INSERTs, and row by row only when a key
// refuses one of them, so that the row is skipped and recorded and the rest of the batch kept.
import Database from 'better-sqlite3';
import { COLUMNS, IS_TEXT, rowCells, type Cell, type EventTable, type FlatBatch } from './flat-batch.ts';
import {
  alreadyStored,
  closedBySkippedFill,
  closingKey,
  MAX_SKIPPED_DETAILS,
  orderMissing,
} from './row-checks.ts';
import type { SkippedRow } from './store.ts';

/*
 * The write path of the SQLite store. A statement call costs about as much as the row it inserts, so rows
 * go CHUNK_ROWS to a multi-row INSERT, bound by position from the batch's columns. Rows whose values cannot
 * be stored never get here (flat-batch.ts screens them out). When a key refuses a row (a fill whose order is
 * not stored, an id already stored), a multi-row statement does not say which, so the transaction is rolled
 * back and the batch written again row by row, in one transaction: each row a key refuses is skipped (a
 * failed statement undoes only itself), with the trades its fill closed, and recorded with the run.
 */

/** Rows per INSERT; a power of two, so a remainder goes in halving chunks (at most 8 statements per table). */
const CHUNK_ROWS = 128;

/** Orders first: fills and signals of a batch may point at orders of the same batch. */
const TABLES: readonly EventTable[] = ['orders', 'fills', 'trades', 'signals', 'equity'];

/** Names a row from its flat values, as row-checks.ts names them. */
const NAME: Record<EventTable, (row: readonly Cell[]) => string> = {
  orders: (r) => `order ${r[0]}`,
  fills: (r) => `fill ${r[0]}`,
  trades: (r) => `trade ${r[0]}`,
  signals: (r) => `signal of ${r[1]} at ${r[0]}`,
  equity: (r) => `equity point at ${r[0]}`,
};

/** The closing key of a flat fill row, and of a flat trade row (account, strategy, symbol, time). */
const fillKey = (r: readonly Cell[]) => closingKey(String(r[9]), String(r[2]), String(r[3]), Number(r[8]));
const tradeKey = (r: readonly Cell[]) => closingKey(String(r[12]), String(r[1]), String(r[2]), Number(r[7]));

/** The record of a row a key refused. */
function refused(table: EventTable, row: readonly Cell[], e: unknown): SkippedRow | undefined {
  const code = e instanceof Database.SqliteError ? e.code : '';
  const name = NAME[table](row);
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && (table === 'fills' || table === 'signals')) {
    return orderMissing(table, name, table === 'fills' ? row[1] : row[10]);
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return alreadyStored(table, name, row[0]);
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return { table, row: name, field: null, value: null, reason: e instanceof Error ? e.message : code };
  }
  return undefined;
}

interface Prepared {
  readonly statement: Database.Statement<[Cell[]]>;
  readonly params: Cell[];
}

/** Inserts rows of one table, many per statement; orders are upserted by id. */
class TableWriter {
  readonly #db: Database.Database;
  readonly #table: EventTable;
  readonly #width: number;
  readonly #prepared = new Map<number, Prepared>();

  constructor(db: Database.Database, table: EventTable) {
    this.#db = db;
    this.#table = table;
    this.#width = COLUMNS[table].length;
  }

  /** Inserts every row of the table in `flat` for the run. */
  write(runId: string, flat: FlatBatch): void {
    const { rows, numbers, texts } = flat.tables[this.#table];
    const strings = flat.strings;
    const isText = IS_TEXT[this.#table];
    const w = this.#width;
    let n = 0;
    let s = 0;
    let row = 0;
    for (let size = CHUNK_ROWS; size >= 1 && row < rows; size >>= 1) {
      if (rows - row < size) continue;
      const { statement, params } = this.#statement(size);
      do {
        let k = 0;
        for (let r = 0; r < size; r++) {
          params[k++] = runId;
          for (let c = 0; c < w; c++) {
            if (isText[c]) {
              const code = texts[s++]!;
              params[k++] = code < 0 ? null : strings[code]!;
            } else {
              const v = numbers[n++]!;
              params[k++] = v === v ? v : null;
            }
          }
        }
        statement.run(params);
        row += size;
      } while (rows - row >= size);
    }
  }

  /**
   * Inserts rows one by one; a row a key refuses is skipped and listed in `skipped`, and so is a trade closed
   * by a fill in `skippedFills` (which gains the fills skipped here).
   */
  writeEachRow(runId: string, flat: FlatBatch, skipped: SkippedRow[], skippedFills: Set<string>): void {
    const { statement, params } = this.#statement(1);
    const table = this.#table;
    for (let i = 0; i < flat.tables[table].rows; i++) {
      const row = rowCells(flat, table, i);
      if (table === 'trades' && skippedFills.has(tradeKey(row))) {
        skipped.push(closedBySkippedFill(NAME.trades(row), row[7]));
        continue;
      }
      params[0] = runId;
      for (let c = 0; c < row.length; c++) params[c + 1] = row[c]!;
      try {
        statement.run(params);
      } catch (e) {
        const record = refused(table, row, e);
        if (record === undefined) throw e;
        skipped.push(record);
        if (table === 'fills') skippedFills.add(fillKey(row));
      }
    }
  }

  #statement(rows: number): Prepared {
    let p = this.#prepared.get(rows);
    if (p === undefined) {
      const columns = COLUMNS[this.#table];
      const tuple = `(${Array<string>(columns.length + 1)
        .fill('?')
        .join(', ')})`;
      let sql = `INSERT INTO ${this.#table} (run_id, ${columns.join(', ')}) VALUES ${Array<string>(rows).fill(tuple).join(', ')}`;
      if (this.#table === 'orders') {
        // An upsert that updates in place: REPLACE would delete the row that fills point at.
        const set = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
        sql += ` ON CONFLICT (run_id, id) DO UPDATE SET ${set.join(', ')}`;
      }
      p = {
        statement: this.#db.prepare<[Cell[]]>(sql),
        params: new Array<Cell>(rows * (columns.length + 1)),
      };
      this.#prepared.set(rows, p);
    }
    return p;
  }
}

/** Writes flat batches of a run database, one IMMEDIATE transaction per batch. */
export class SqliteBatchWriter {
  readonly #write: (runId: string, flat: FlatBatch) => void;
  readonly #writeEach: (runId: string, flat: FlatBatch) => void;

  constructor(db: Database.Database) {
    const tables = Object.fromEntries(TABLES.map((t) => [t, new TableWriter(db, t)])) as Record<
      EventTable,
      TableWriter
    >;
    const count = db.prepare<[number, string], { skipped_rows: number }>(
      'UPDATE runs SET skipped_rows = skipped_rows + ? WHERE id = ? RETURNING skipped_rows',
    );
    const detail = db.prepare<[string, string, string, string | null, string | null, string]>(
      'INSERT INTO skipped_rows (run_id, tbl, row, field, value, reason) VALUES (?, ?, ?, ?, ?, ?)',
    );
    /** Counts the rows skipped with the run, and describes them while the run has fewer than the limit. */
    const record = (runId: string, skipped: readonly SkippedRow[]) => {
      if (skipped.length === 0) return;
      const total = count.get(skipped.length, runId)?.skipped_rows ?? skipped.length;
      const room = MAX_SKIPPED_DETAILS - (total - skipped.length);
      for (const k of skipped.slice(0, Math.max(0, room))) {
        detail.run(runId, k.table, k.row, k.field, k.value, k.reason);
      }
    };
    const write = db.transaction((runId: string, flat: FlatBatch) => {
      for (const t of TABLES) tables[t].write(runId, flat);
      record(runId, flat.skipped);
    });
    const writeEach = db.transaction((runId: string, flat: FlatBatch) => {
      const skipped = [...flat.skipped];
      const skippedFills = new Set(flat.skippedFills);
      for (const t of TABLES) tables[t].writeEachRow(runId, flat, skipped, skippedFills);
      record(runId, skipped);
    });
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead of failing midway.
    this.#write = (runId, flat) => write.immediate(runId, flat);
    this.#writeEach = (runId, flat) => writeEach.immediate(runId, flat);
  }

  /**
   * Writes a batch in one transaction. The rows a key refuses (a fill whose order is not stored, an id
   * already stored) are skipped with their dependants and recorded with the run, with the rows screened
   * out before (flat.skipped); every other row of the batch is stored.
   */
  write(runId: string, flat: FlatBatch): void {
    try {
      this.#write(runId, flat);
    } catch (e) {
      if (!(e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT'))) throw e;
      this.#writeEach(runId, flat);
    }
  }
}
