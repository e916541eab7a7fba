// The run store port: what a run records (its start, batches of events, its end) and how it is read back.
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { Fill, Order, Position, Trade } from '../model/order.ts';
import type { EquityPoint, RunStats, RunStatus, SignalRecord } from '../model/run.ts';

/** What a run records when it starts. */
export interface RunStart {
  readonly id: string;
  readonly name: string;
  readonly kind: 'backtest' | 'replay' | 'live' | 'screen';
  /** The resolved session config, stored as JSON. */
  readonly config: unknown;
  /** Epoch ms from the clock that started it. */
  readonly startedAt: number;
}

/**
 * Events of one time step that belong together. A store writes a batch atomically: a crash never leaves
 * a fill without its order or a trade without its fills. A row that cannot be stored (a value that is not
 * a number, a string or one of its enum's values, metadata that is not JSON, a fill or signal whose order
 * is not stored, an id already stored) is skipped with the rows that depend on it and recorded with the
 * run (`skippedRows`, `skipped`); the rest of the batch is stored.
 */
export interface RunBatch {
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly trades: readonly Trade[];
  readonly signals: readonly SignalRecord[];
  readonly equity: readonly EquityPoint[];
}

/**
 * One step of a live run, committed in one transaction: its events (a batch, with the batch's rules), the
 * bars the step published, and the run's state after it, which replaces the one stored before.
 */
export interface LiveStep extends RunBatch {
  readonly bars: readonly StoredBar[];
  readonly state: LiveState;
}

/** What a live run committed for its resume: its state after the last committed step and its bars. */
export interface StoredLive {
  /** Undefined when no step was committed. */
  readonly state: LiveState | undefined;
  /** Every bar its steps published, in time order (by symbol and interval within a time). */
  readonly bars: readonly StoredBar[];
}

/** How a run ended. */
export interface RunEnd {
  readonly status: RunStatus;
  readonly endedAt: number;
  readonly stats?: RunStats;
  readonly openPositions?: readonly Position[];
  readonly error?: string;
}

/**
 * The storage port: SQLite is the embedded default; every implementation passes store.contract.ts.
 *
 * Writes (`startRun`, `writeBatch`, `endRun`) may be applied in the background: a store may return before
 * the write is durable, and report a write that failed at its next call or at `flush`, whichever comes
 * first. Reads see every write made before them. A caller that needs its writes durable, or to know that
 * they failed, awaits `flush`.
 */
export interface RunStore {
  startRun(run: RunStart): void;
  /**
   * Writes one batch in one transaction, skipping and recording the rows that cannot be stored (see
   * RunBatch). Orders are upserted by id (an order's status changes).
   */
  writeBatch(runId: string, batch: RunBatch): void;
  endRun(runId: string, end: RunEnd): void;
  /**
   * Commits one live step in one transaction (see LiveStep); the rules of `writeBatch` apply to its events.
   * A bar already stored for the run (same symbol, interval and time) is an error: nothing of the step is
   * written.
   */
  writeStep(runId: string, step: LiveStep): void;
  /** Reads what a live run committed for its resume; undefined for a run it does not hold. */
  readLive(runId: string): StoredLive | undefined;
  /**
   * Takes a run that ended other than `completed` back to `running`, owned by this process, its end cleared
   * (a live run resumed). Refuses a run it does not hold, a completed one and one still running.
   */
  reopenRun(runId: string): void;
  /** Reads a run back (for reports, the API and tests). */
  readRun(runId: string): StoredRun | undefined;
  /** Reads how many rows of a run were skipped, and the first ones described, without its events. */
  readSkipped(runId: string): SkippedRows | undefined;
  /** Lists runs without their events, newest start first. */
  listRuns(options?: ListRunsOptions): RunSummary[];
  /**
   * Resolves when every write made so far is durable; rejects with the TF_ERR_STORAGE error of the first
   * one that failed and was not yet reported (a store that writes on the calling thread resolves at once).
   */
  flush(): Promise<void>;
  /**
   * Refuses every later call and releases the store. Writes already made still complete, but a failure
   * among them is reported to no one: await `flush` first.
   */
  close(): void;
}

/** Paging for `listRuns`: at most `limit` runs (default 50) after skipping `offset` (default 0). */
export interface ListRunsOptions {
  readonly limit?: number;
  readonly offset?: number;
}

/** A run's header as listed: everything but its config, events and open positions. */
export interface RunSummary {
  readonly id: string;
  readonly name: string;
  readonly kind: RunStart['kind'];
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly stats: RunStats | null;
  readonly error: string | null;
  /** How many rows of the run's batches the store could not store (each skipped alone; see `skipped`). */
  readonly skippedRows: number;
}

/** The rows of a run that a store skipped: all counted, the first MAX_SKIPPED_DETAILS described. */
export interface SkippedRows {
  readonly count: number;
  readonly rows: readonly SkippedRow[];
}

/** A row that a store did not store, and why (the rest of its batch was stored). */
export interface SkippedRow {
  /** The event table: orders, fills, trades, signals or equity. */
  readonly table: string;
  /** Which row: `order 12`, `fill 3`, `signal of sma at 1700000000000`. */
  readonly row: string;
  /** The field at fault, when one is. */
  readonly field: string | null;
  /** The value at fault, as text (at most 200 characters), when one is. */
  readonly value: string | null;
  readonly reason: string;
}

/** A run as read back from a store. */
export interface StoredRun {
  readonly id: string;
  readonly name: string;
  readonly kind: RunStart['kind'];
  readonly status: RunStatus;
  readonly config: unknown;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly stats: RunStats | null;
  readonly error: string | null;
  readonly skippedRows: number;
  /** The first rows skipped (at most MAX_SKIPPED_DETAILS), in the order they were. */
  readonly skipped: readonly SkippedRow[];
  readonly orders: readonly Order[];
  readonly fills: readonly Fill[];
  readonly trades: readonly Trade[];
  readonly signals: readonly SignalRecord[];
  readonly equity: readonly EquityPoint[];
  readonly openPositions: readonly Position[];
}
