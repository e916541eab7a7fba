// The embedded default run store: one SQLite file, one transaction per batch, written on the calling thread.
import type Database from 'better-sqlite3';
import { isTradeflowError } from '../core/errors.ts';
import { flattenBatch, type FlatBatch } from './flat-batch.ts';
import type { RunEndRow, RunRow } from './run-row.ts';
import { encodeRunEnd, encodeRunStart } from './run-row.ts';
import { openDatabase } from './sqlite-open.ts';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import { readLiveTables, SqliteLive } from './sqlite-live.ts';
import { RUN_COLUMNS, SqliteReader } from './sqlite-reader.ts';
import { SqliteBatchWriter } from './sqlite-writer.ts';
import type {
  ListRunsOptions,
  LiveStep,
  RunBatch,
  RunEnd,
  RunStart,
  RunStore,
  RunSummary,
  SkippedRows,
  StoredLive,
  StoredRun,
} from './store.ts';
import {
  batchError,
  checkEnd,
  checkLiveStep,
  checkReopen,
  checkWritable,
  pageOf,
  storageError,
} from './store-rules.ts';

const params = (columns: string) => columns.replace(/(\w+)/g, '@$1');

function prepareRunStatements(db: Database.Database) {
  return {
    insertRun: db.prepare<[RunRow]>(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (${params(RUN_COLUMNS)})`),
    runStatus: db.prepare<[string], { status: string }>('SELECT status FROM runs WHERE id = ?'),
    endRun: db.prepare<[string, RunEndRow]>(
      `UPDATE runs SET status = @status, ended_at = @ended_at, stats = @stats, error = @error,
       open_positions = @open_positions WHERE id = ?`,
    ),
  };
}

/**
 * The embedded default store: one SQLite file in WAL mode (or ':memory:'), one transaction per batch, written
 * on the calling thread. ThreadedSqliteStore runs one in a worker thread.
 */
export class SqliteStore implements RunStore {
  /** The database file, or ':memory:'. */
  readonly path: string;
  readonly #where: string;
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepareRunStatements>;
  readonly #writer: SqliteBatchWriter;
  readonly #reader: SqliteReader;
  readonly #live: SqliteLive;
  readonly #step: (
    runId: string,
    flat: FlatBatch,
    bars: readonly StoredBar[],
    state: LiveState,
    json: string,
  ) => void;

  constructor(path: string) {
    this.path = path;
    this.#where = `run store ${path}`;
    this.#db = openDatabase(path, this.#where);
    this.#s = prepareRunStatements(this.#db);
    this.#writer = new SqliteBatchWriter(this.#db);
    this.#reader = new SqliteReader(this.#db);
    this.#live = new SqliteLive(this.#db);
    // The batch's own transaction nests in the step's (a savepoint): the step is written whole or not at all.
    const step = this.#db.transaction(
      (runId: string, flat: FlatBatch, bars: readonly StoredBar[], state: LiveState, json: string) => {
        this.#writer.write(runId, flat);
        this.#live.write(runId, bars, state, json);
      },
    );
    this.#step = (...args) => step.immediate(...args);
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
        this.#writer.write(runId, flattenBatch(batch));
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  /** Writes a batch already flattened (as the threaded store's worker receives them), with writeBatch's rules. */
  writeFlatBatch(runId: string, flat: FlatBatch): void {
    this.#guard(`cannot write a batch for run "${runId}"`, () => {
      checkWritable(this.#where, runId, this.#s.runStatus.get(runId)?.status);
      try {
        this.#writer.write(runId, flat);
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  writeStep(runId: string, step: LiveStep): void {
    this.#guard(`cannot write a step for run "${runId}"`, () => {
      checkWritable(this.#where, runId, this.#s.runStatus.get(runId)?.status);
      try {
        this.#writeStep(runId, flattenBatch(step), step.bars, step.state);
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  /** Writes a step whose batch is already flattened (as the threaded store's worker receives it). */
  writeFlatStep(runId: string, flat: FlatBatch, bars: readonly StoredBar[], state: LiveState): void {
    this.#guard(`cannot write a step for run "${runId}"`, () => {
      checkWritable(this.#where, runId, this.#s.runStatus.get(runId)?.status);
      try {
        this.#writeStep(runId, flat, bars, state);
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  #writeStep(runId: string, flat: FlatBatch, bars: readonly StoredBar[], state: LiveState): void {
    this.#step(runId, flat, bars, state, checkLiveStep(bars, state));
  }

  readLive(runId: string): StoredLive | undefined {
    return this.#guard(`cannot read run "${runId}"`, () =>
      this.#s.runStatus.get(runId) === undefined ? undefined : readLiveTables(this.#db, runId),
    );
  }

  reopenRun(runId: string): void {
    this.#guard(`cannot reopen run "${runId}"`, () => {
      checkReopen(this.#where, runId, this.#s.runStatus.get(runId)?.status);
      this.#live.reopen(runId);
    });
  }

  endRun(runId: string, end: RunEnd): void {
    this.#guard(`cannot end run "${runId}"`, () => {
      checkEnd(this.#where, runId, this.#s.runStatus.get(runId)?.status, end.status);
      this.#s.endRun.run(runId, encodeRunEnd(runId, end));
    });
  }

  readRun(runId: string): StoredRun | undefined {
    return this.#guard(`cannot read run "${runId}"`, () => this.#reader.readRun(runId));
  }

  readSkipped(runId: string): SkippedRows | undefined {
    return this.#guard(`cannot read run "${runId}"`, () => this.#reader.readSkipped(runId));
  }

  listRuns(options?: ListRunsOptions): RunSummary[] {
    return this.#guard('cannot list runs', () => {
      const { limit, offset } = pageOf(this.#where, options);
      return this.#reader.listRuns(limit, offset);
    });
  }

  /** Resolves at once: every write is durable when its call returns. */
  flush(): Promise<void> {
    return new Promise((resolve) => resolve(this.#guard('cannot flush', () => undefined)));
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
