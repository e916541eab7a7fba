// The in-memory run store, for tests and throwaway runs: the same rows and rules as the SQLite store.
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
import type { RunRow } from './run-row.ts';
import { decodeConfig, decodePositions, decodeRunSummary, encodeRunEnd, encodeRunStart } from './run-row.ts';
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

interface MemoryRun {
  row: RunRow;
  /** Insertion rank, to order runs that start at the same time as SQLite does (rowid). */
  readonly rank: number;
  readonly orders: Map<number, OrderRow>;
  readonly fills: Map<number, FillRow>;
  readonly trades: Map<number, TradeRow>;
  readonly signals: SignalRow[];
  readonly equity: EquityPoint[];
}

const WHERE = 'memory run store';

const byId = <T extends { id: number }>(rows: Iterable<T>): T[] => [...rows].sort((a, b) => a.id - b.id);

/**
 * A store that keeps runs in memory, for tests and throwaway runs. It keeps the same rows as SqliteStore and
 * enforces the same rules: a batch is checked whole before any of it is applied, so it is all or nothing.
 */
export class MemoryStore implements RunStore {
  readonly #runs = new Map<string, MemoryRun>();
  #closed = false;

  startRun(run: RunStart): void {
    this.#open(`cannot start run "${run.id}"`);
    if (this.#runs.has(run.id))
      throw storageError(WHERE, `run "${run.id}" already exists; give each run a new id`);
    const row = encodeRunStart(run);
    this.#runs.set(run.id, {
      row,
      rank: this.#runs.size,
      orders: new Map(),
      fills: new Map(),
      trades: new Map(),
      signals: [],
      equity: [],
    });
  }

  writeBatch(runId: string, batch: RunBatch): void {
    this.#open(`cannot write a batch for run "${runId}"`);
    const run = this.#runs.get(runId);
    checkWritable(WHERE, runId, run?.row.status);
    if (run === undefined) return;
    let staged: ReturnType<typeof stage>;
    try {
      staged = stage(run, batch);
    } catch (e) {
      throw batchError(WHERE, runId, e);
    }
    // Nothing below can throw: the batch was encoded and checked in full above.
    for (const o of staged.orders) run.orders.set(o.id, o);
    for (const f of staged.fills) run.fills.set(f.id, f);
    for (const t of staged.trades) run.trades.set(t.id, t);
    for (const g of staged.signals) run.signals.push(g);
    for (const p of staged.equity) run.equity.push(p);
  }

  endRun(runId: string, end: RunEnd): void {
    this.#open(`cannot end run "${runId}"`);
    const run = this.#runs.get(runId);
    checkEnd(WHERE, runId, run?.row.status, end.status);
    if (run === undefined) return;
    run.row = { ...run.row, ...encodeRunEnd(runId, end) };
  }

  readRun(runId: string): StoredRun | undefined {
    this.#open(`cannot read run "${runId}"`);
    const run = this.#runs.get(runId);
    if (run === undefined) return undefined;
    try {
      return {
        ...decodeRunSummary(run.row),
        config: decodeConfig(run.row),
        orders: byId(run.orders.values()).map(decodeOrder),
        fills: byId(run.fills.values()).map(decodeFill),
        trades: byId(run.trades.values()).map(decodeTrade),
        signals: run.signals.map(decodeSignal),
        equity: run.equity.map((p) => ({ ...p })),
        openPositions: decodePositions(run.row),
      };
    } catch (e) {
      throw storageError(
        WHERE,
        `cannot read run "${runId}": ${e instanceof Error ? e.message : String(e)}`,
        e,
      );
    }
  }

  listRuns(options?: ListRunsOptions): RunSummary[] {
    this.#open('cannot list runs');
    const { limit, offset } = pageOf(WHERE, options);
    return [...this.#runs.values()]
      .sort((a, b) => b.row.started_at - a.row.started_at || b.rank - a.rank)
      .slice(offset, offset + limit)
      .map((r) => decodeRunSummary(r.row));
  }

  /** Resolves at once: every write is applied when its call returns. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#open('cannot flush');
      resolve();
    });
  }

  close(): void {
    this.#closed = true;
    this.#runs.clear();
  }

  #open(doing: string): void {
    if (this.#closed) throw storageError(WHERE, `${doing}: the store is closed`);
  }
}

/** Encodes a batch and checks it against the run as SQLite's keys would, without changing the run. */
function stage(run: MemoryRun, batch: RunBatch) {
  const orders = batch.orders.map(encodeOrder);
  const orderIds = new Set(run.orders.keys());
  for (const o of orders) orderIds.add(o.id);
  const fills = batch.fills.map(encodeFill);
  const fillIds = new Set<number>();
  for (const f of fills) {
    if (run.fills.has(f.id) || fillIds.has(f.id))
      throw new Error(`fill ${f.id}: is already stored for this run`);
    if (!orderIds.has(f.order_id)) {
      throw new Error(
        `fill ${f.id}: references order ${f.order_id}, which is not stored for this run${ORDER_FIRST}`,
      );
    }
    fillIds.add(f.id);
  }
  const trades = batch.trades.map(encodeTrade);
  const tradeIds = new Set<number>();
  for (const t of trades) {
    if (run.trades.has(t.id) || tradeIds.has(t.id))
      throw new Error(`trade ${t.id}: is already stored for this run`);
    tradeIds.add(t.id);
  }
  const signals = batch.signals.map(encodeSignal);
  for (const g of signals) {
    if (g.order_id !== null && !orderIds.has(g.order_id)) {
      throw new Error(
        `signal of ${g.strategy} at ${g.ts}: references order ${g.order_id}, which is not stored for this run${ORDER_FIRST}`,
      );
    }
  }
  return { orders, fills, trades, signals, equity: batch.equity.map(encodeEquity) };
}
