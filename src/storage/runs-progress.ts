// Durable progress of the API's runs in the run database: a row per run and one per screened ticker,
// committed together.
import type Database from 'better-sqlite3';
import { isTradeflowError, TradeflowError } from '../core/errors.ts';
import {
  decodeHeader,
  decodeRun,
  decodeTicker,
  isFinalStatus,
  percentOf,
  type ServiceRun,
  type ServiceRunHeader,
  type ServiceRunKind,
  type ServiceRunStatus,
  statusesBefore,
  type TickerProgress,
  type TickerRow,
  transitionError,
} from './service-run.ts';
import { prepareProgressStatements } from './runs-progress-sql.ts';
import { openDatabase } from './sqlite-open.ts';
import { storageError } from './store-rules.ts';

/** A run as the API creates it, queued. */
export interface NewServiceRun {
  readonly id: string;
  readonly kind: ServiceRunKind;
  readonly strategy: string;
  readonly parameters: unknown;
  readonly tickers: readonly string[];
  readonly total: number;
  readonly createdAt: number;
}

/** One ticker's outcome and the run's counts after it: written together, in one transaction. */
export interface TickerWrite {
  readonly runId: string;
  readonly position: number;
  readonly ticker: string;
  readonly processedAt: number;
  readonly passed: boolean;
  readonly score: number | null;
  readonly status: 'ok' | 'error';
  readonly result: unknown;
  /** The run's counts including this ticker. */
  readonly completed: number;
  readonly total: number;
  readonly passedCount: number;
  readonly errorCount: number;
  /** The ticker the run goes on with, or null after the last one. */
  readonly nextTicker: string | null;
}

/** What a transition may set besides the status. */
export interface TransitionExtra {
  readonly error?: string;
  readonly result?: unknown;
}

/**
 * Durable progress of the API's runs in the run database (SQLite, WAL, synchronous=NORMAL): one row per
 * run in `service_runs`, one per screened ticker in `ticker_progress`. Every statement is prepared once;
 * a ticker and the run's counts after it commit in one transaction, so a crash never leaves a count that
 * disagrees with the ticker rows, and a resumed screen starts right after the last ticker recorded.
 */
export class ProgressStore {
  /** The database file, or ':memory:'. */
  readonly path: string;
  readonly #where: string;
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepareProgressStatements>;
  readonly #record: (w: TickerWrite) => void;

  constructor(path: string) {
    this.path = path;
    this.#where = `run store ${path}`;
    this.#db = openDatabase(path, this.#where);
    this.#s = prepareProgressStatements(this.#db);
    this.#record = this.#db.transaction((w: TickerWrite) => {
      this.#s.insertTicker.run({
        run_id: w.runId,
        position: w.position,
        ticker: w.ticker,
        processed_at: w.processedAt,
        passed: w.passed ? 1 : 0,
        score: w.score,
        total: w.total,
        status: w.status,
        result: JSON.stringify(w.result ?? null),
      });
      const changed = this.#s.advance.run({
        id: w.runId,
        completed: w.completed,
        total: w.total,
        percent: percentOf(w.completed, w.total),
        passed: w.passedCount,
        errors: w.errorCount,
        current: w.nextTicker,
        at: w.processedAt,
      }).changes;
      if (changed === 0) throw this.#notRunning(w.runId);
    });
  }

  /** Records a new run, queued; its current ticker is its first. */
  createRun(run: NewServiceRun): void {
    this.#guard(`cannot create run "${run.id}"`, () => {
      if (this.#s.header.get(run.id) !== undefined) {
        throw storageError(this.#where, `run "${run.id}" already exists; give each run a new id`);
      }
      this.#s.insertRun.run({
        id: run.id,
        kind: run.kind,
        strategy: run.strategy,
        parameters: JSON.stringify(run.parameters ?? null),
        tickers: JSON.stringify(run.tickers),
        current_ticker: run.tickers[0] ?? null,
        total: run.total,
        created_at: run.createdAt,
      });
    });
  }

  /** Returns whether a run has this id. */
  has(id: string): boolean {
    return this.#guard(`cannot read run "${id}"`, () => this.#s.header.get(id) !== undefined);
  }

  /**
   * Moves a run to `to` at `at`, as RUN_TRANSITIONS allows; throws TF_ERR_RUN_NOT_FOUND or TF_ERR_RUN_STATE.
   * Leaving `running` sets `ended_at`; entering it clears the error and keeps the first start time.
   */
  transition(id: string, to: ServiceRunStatus, at: number, extra: TransitionExtra = {}): void {
    this.#guard(`cannot change run "${id}"`, () => {
      const changed = this.#s.transition.run({
        id,
        to,
        at,
        final: isFinalStatus(to) ? 1 : 0,
        error: extra.error ?? null,
        result: extra.result === undefined ? null : JSON.stringify(extra.result),
        from: JSON.stringify(statusesBefore(to)),
      }).changes;
      if (changed === 0) {
        const row = this.#s.header.get(id);
        if (row === undefined) throw notFound(id);
        throw transitionError(id, decodeHeader(row).status, to);
      }
    });
  }

  /** Records one screened ticker and the run's counts after it, in one transaction. */
  recordTicker(write: TickerWrite): void {
    this.#guard(`cannot record ticker ${write.ticker} of run "${write.runId}"`, () => this.#record(write));
  }

  /** Sets a running run's counts (a backtest's bars done of total). */
  updateProgress(id: string, p: { completed: number; total: number; at: number }): void {
    this.#guard(`cannot update run "${id}"`, () => {
      const h = this.#s.header.get(id);
      if (h === undefined) throw notFound(id);
      const changed = this.#s.advance.run({
        id,
        completed: p.completed,
        total: p.total,
        percent: percentOf(p.completed, p.total),
        passed: h.passed,
        errors: h.errors,
        current: h.current_ticker,
        at: p.at,
      }).changes;
      if (changed === 0) throw this.#notRunning(id);
    });
  }

  /** Returns a run's header, or undefined. */
  header(id: string): ServiceRunHeader | undefined {
    return this.#guard(`cannot read run "${id}"`, () => {
      const row = this.#s.header.get(id);
      return row === undefined ? undefined : decodeHeader(row);
    });
  }

  /** Returns a whole run, or undefined. */
  run(id: string): ServiceRun | undefined {
    return this.#guard(`cannot read run "${id}"`, () => {
      const row = this.#s.run.get(id);
      return row === undefined ? undefined : decodeRun(row);
    });
  }

  /** Lists run headers (of one kind or of several), newest first, with the number of runs matching. */
  list(options: {
    kind?: ServiceRunKind | readonly ServiceRunKind[] | undefined;
    limit: number;
    offset: number;
  }): {
    runs: ServiceRunHeader[];
    total: number;
  } {
    return this.#guard('cannot list runs', () => {
      const { limit, offset } = options;
      const kinds = options.kind === undefined ? undefined : JSON.stringify([options.kind].flat());
      const rows =
        kinds === undefined ? this.#s.listAll.all(limit, offset) : this.#s.listKind.all(kinds, limit, offset);
      const total = (kinds === undefined ? this.#s.countAll.get() : this.#s.countKind.get(kinds))?.n ?? 0;
      return { runs: rows.map(decodeHeader), total };
    });
  }

  /** Returns how many runs there are of each kind and status (pairs with none are left out). */
  countByStatus(): { kind: string; status: string; count: number }[] {
    return this.#guard('cannot count runs', () =>
      this.#s.countByStatus.all().map((r) => ({ kind: r.kind, status: r.status, count: r.n })),
    );
  }

  /** Returns the last `count` tickers recorded for a run, newest first. */
  recentTickers(id: string, count: number): TickerProgress[] {
    return this.#guard(`cannot read run "${id}"`, () => this.#s.recent.all(id, count).map(decodeTicker));
  }

  /** Returns the last `count` ticker rows of a run as stored (result as JSON text), newest first. */
  recentTickerRows(id: string, count: number): TickerRow[] {
    return this.#guard(`cannot read run "${id}"`, () => this.#s.recent.all(id, count));
  }

  /** Returns every ticker recorded for a run, in position order. */
  tickerResults(id: string): TickerProgress[] {
    return this.#guard(`cannot read run "${id}"`, () => this.#s.tickers.all(id).map(decodeTicker));
  }

  /** Returns the position of the last ticker recorded for a run, or -1. */
  lastPosition(id: string): number {
    return this.#guard(`cannot read run "${id}"`, () => this.#s.lastPosition.get(id)?.p ?? -1);
  }

  /** Marks every run left queued or running (by a crash) as interrupted; returns their ids. */
  interruptUnfinished(at: number): string[] {
    return this.#guard('cannot mark unfinished runs', () =>
      this.#db.transaction(() => {
        const rows = this.#s.interrupt.all({ at });
        // A backtest or session records its events under the same id: its row there ends too.
        for (const r of rows) if (r.kind !== 'screen') this.#s.interruptBacktest.run(at, r.id);
        return rows.map((r) => r.id);
      })(),
    );
  }

  /** Closes the database; later calls fail with TF_ERR_STORAGE. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #notRunning(id: string): TradeflowError {
    const row = this.#s.header.get(id);
    if (row === undefined) return notFound(id);
    return new TradeflowError(
      'TF_ERR_RUN_STATE',
      `run "${id}" is ${row.status}, not running; it takes no progress`,
    );
  }

  /** Runs `fn`, passing coded errors through and wrapping anything else (a closed or broken database). */
  #guard<T>(doing: string, fn: () => T): T {
    if (!this.#db.open) throw storageError(this.#where, `${doing}: the store is closed`);
    try {
      return fn();
    } catch (e) {
      if (isTradeflowError(e)) throw e;
      throw storageError(this.#where, `${doing}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
}

function notFound(id: string): TradeflowError {
  return new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no run "${id}"`);
}
