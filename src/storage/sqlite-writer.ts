// The SQLite store's write path: a batch's rows in multi-row INSERTs, and a replay row by row only to name
// the row that failed.
import Database from 'better-sqlite3';
import { COLUMNS, IS_TEXT, rowCells, type Cell, type EventTable, type FlatBatch } from './flat-batch.ts';
import { ORDER_FIRST, storageError } from './store-rules.ts';

/*
 * The write path of the SQLite store. A statement call costs about as much as the row it inserts, so rows
 * go CHUNK_ROWS to a multi-row INSERT, bound by position from the batch's columns. Constraint failures of a
 * multi-row statement do not say which row failed; only then is the batch replayed row by row, in a
 * transaction that is always rolled back, to name the first failing row.
 */

/** Rows per INSERT; a power of two, so a remainder goes in halving chunks (at most 8 statements per table). */
const CHUNK_ROWS = 128;

/** Orders first: fills and signals of a batch may point at orders of the same batch. */
const TABLES: readonly EventTable[] = ['orders', 'fills', 'trades', 'signals', 'equity'];

/** Names a row in an error, and the order it points at (fills and signals), from its flat values. */
const DESCRIBE: Record<EventTable, (row: readonly Cell[]) => { what: string; parent?: string }> = {
  orders: (r) => ({ what: `order ${r[0]}` }),
  fills: (r) => ({ what: `fill ${r[0]}`, parent: `order ${r[1]}` }),
  trades: (r) => ({ what: `trade ${r[0]}` }),
  signals: (r) => ({ what: `signal of ${r[1]} at ${r[0]}`, parent: `order ${r[10]}` }),
  equity: (r) => ({ what: `equity point at ${r[0]}` }),
};

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

  /** Inserts rows one by one; throws a storage error naming the first row that fails, and why. */
  writeEachRow(runId: string, flat: FlatBatch): void {
    const { statement, params } = this.#statement(1);
    for (let i = 0; i < flat.tables[this.#table].rows; i++) {
      const row = rowCells(flat, this.#table, i);
      params[0] = runId;
      for (let c = 0; c < row.length; c++) params[c + 1] = row[c]!;
      try {
        statement.run(params);
      } catch (e) {
        throw rowError(DESCRIBE[this.#table](row), e);
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

/** Turns a row's constraint failure into a sentence about that row. */
function rowError(row: { what: string; parent?: string }, e: unknown): Error {
  const code = e instanceof Database.SqliteError ? e.code : '';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' && row.parent !== undefined) {
    return storageError(
      row.what,
      `references ${row.parent}, which is not stored for this run${ORDER_FIRST}`,
      e,
    );
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return storageError(row.what, 'is already stored for this run', e);
  return storageError(row.what, e instanceof Error ? e.message : String(e), e);
}

/** Thrown to roll back the row-by-row replay of a failed batch once it has found nothing. */
class Rollback extends Error {}

/** Writes flat batches of a run database, one IMMEDIATE transaction per batch. */
export class SqliteBatchWriter {
  readonly #write: (runId: string, flat: FlatBatch) => void;
  readonly #replay: (runId: string, flat: FlatBatch) => void;

  constructor(db: Database.Database) {
    const tables = Object.fromEntries(TABLES.map((t) => [t, new TableWriter(db, t)])) as Record<
      EventTable,
      TableWriter
    >;
    const write = db.transaction((runId: string, flat: FlatBatch) => {
      for (const t of TABLES) tables[t].write(runId, flat);
    });
    const replay = db.transaction((runId: string, flat: FlatBatch) => {
      for (const t of TABLES) tables[t].writeEachRow(runId, flat);
      throw new Rollback('the batch wrote row by row');
    });
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead of failing midway.
    this.#write = (runId, flat) => write.immediate(runId, flat);
    this.#replay = (runId, flat) => replay.immediate(runId, flat);
  }

  /**
   * Writes a batch in one transaction: all of it, or nothing. When a constraint fails, the error names the
   * first row that breaks it (a fill whose order is not stored, an id already stored).
   */
  write(runId: string, flat: FlatBatch): void {
    try {
      this.#write(runId, flat);
    } catch (e) {
      if (!(e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT'))) throw e;
      throw this.#firstFailingRow(runId, flat) ?? e;
    }
  }

  #firstFailingRow(runId: string, flat: FlatBatch): Error | undefined {
    try {
      this.#replay(runId, flat);
    } catch (e) {
      if (e instanceof Rollback) return undefined;
      return e instanceof Error ? e : new Error(String(e));
    }
    return undefined;
  }
}
