// The in-memory run store, for tests and throwaway runs: the same rows and rules as the SQLite store.
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { EquityPoint } from '../model/run.ts';
import { decodeOrder, encodeOrder, type OrderRow } from './order-rows.ts';
import type { FillRow, SignalRow, TradeRow } from './rows.ts';
import {
  decodeFill,
  decodeSignal,
  decodeTrade,
  encodeEquity,
  encodeFill,
  encodeSignal,
  encodeTrade,
} from './rows.ts';
import {
  alreadyStored,
  closedBySkippedFill,
  closingKey,
  MAX_SKIPPED_DETAILS,
  orderMissing,
  rowName,
  screenBatch,
} from './row-checks.ts';
import type { RunRow } from './run-row.ts';
import { decodeConfig, decodePositions, decodeRunSummary, encodeRunEnd, encodeRunStart } from './run-row.ts';
import type {
  ListRunsOptions,
  LiveStep,
  RunBatch,
  RunEnd,
  RunStart,
  RunStore,
  RunSummary,
  SkippedRow,
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
import { currentOwner } from './run-owner.ts';

interface MemoryRun {
  row: RunRow;
  /** Insertion rank, to order runs that start at the same time as SQLite does (rowid). */
  readonly rank: number;
  readonly orders: Map<number, OrderRow>;
  readonly fills: Map<number, FillRow>;
  readonly trades: Map<number, TradeRow>;
  readonly signals: SignalRow[];
  readonly equity: EquityPoint[];
  readonly skipped: SkippedRow[];
  /** Live bars by `symbol|interval|ts`, and the state after the last committed step (as JSON, as stored). */
  readonly bars: Map<string, StoredBar>;
  state: string | undefined;
}

const WHERE = 'memory run store';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byId = <T extends { id: number }>(rows: Iterable<T>): T[] => [...rows].sort((a, b) => a.id - b.id);

/**
 * A store that keeps runs in memory, for tests and throwaway runs. It keeps the same rows as SqliteStore and
 * enforces the same rules: a batch's rows are checked as SQLite's keys would check them, and a row that
 * fails is skipped with its dependants and recorded while the rest of the batch is applied.
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
      skipped: [],
      bars: new Map(),
      state: undefined,
    });
  }

  writeBatch(runId: string, batch: RunBatch): void {
    this.#open(`cannot write a batch for run "${runId}"`);
    const run = this.#runs.get(runId);
    checkWritable(WHERE, runId, run?.row.status);
    if (run === undefined) return;
    this.#apply(run, batch);
  }

  writeStep(runId: string, step: LiveStep): void {
    this.#open(`cannot write a step for run "${runId}"`);
    const run = this.#runs.get(runId);
    checkWritable(WHERE, runId, run?.row.status);
    if (run === undefined) return;
    let json: string;
    const keys = step.bars.map((b) => `${b.symbol}|${b.interval}|${b.ts}`);
    try {
      json = checkLiveStep(step.bars, step.state);
      const seen = new Set<string>();
      for (const [i, k] of keys.entries()) {
        if (run.bars.has(k) || seen.has(k)) {
          const b = step.bars[i]!;
          throw new Error(`bar ${b.symbol} ${b.interval} at ${b.ts} is stored already`);
        }
        seen.add(k);
      }
    } catch (e) {
      throw batchError(WHERE, runId, e);
    }
    this.#apply(run, step);
    for (const [i, k] of keys.entries()) run.bars.set(k, { ...step.bars[i]! });
    run.state = json;
  }

  readLive(runId: string): StoredLive | undefined {
    this.#open(`cannot read run "${runId}"`);
    const run = this.#runs.get(runId);
    if (run === undefined) return undefined;
    const bars = [...run.bars.values()].sort(
      (a, b) => a.ts - b.ts || cmp(a.symbol, b.symbol) || cmp(a.interval, b.interval),
    );
    return {
      state: run.state === undefined ? undefined : (JSON.parse(run.state) as LiveState),
      bars: bars.map((b) => ({ ...b })),
    };
  }

  reopenRun(runId: string): void {
    this.#open(`cannot reopen run "${runId}"`);
    const run = this.#runs.get(runId);
    checkReopen(WHERE, runId, run?.row.status);
    if (run === undefined) return;
    const owner = currentOwner();
    run.row = {
      ...run.row,
      status: 'running',
      ended_at: null,
      stats: null,
      error: null,
      owner_pid: owner.pid,
      owner_host: owner.host,
      owner_start: owner.start,
    };
  }

  #apply(run: MemoryRun, batch: RunBatch): void {
    const { orders, fills, trades, signals, equity, skipped } = stage(run, batch);
    for (const o of orders) run.orders.set(o.id, o);
    for (const f of fills) run.fills.set(f.id, f);
    for (const t of trades) run.trades.set(t.id, t);
    for (const g of signals) run.signals.push(g);
    for (const p of equity) run.equity.push(p);
    const room = MAX_SKIPPED_DETAILS - run.row.skipped_rows;
    run.skipped.push(...skipped.slice(0, Math.max(0, room)));
    run.row = { ...run.row, skipped_rows: run.row.skipped_rows + skipped.length };
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
        skipped: run.skipped.map((k) => ({ ...k })),
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

  readSkipped(runId: string): SkippedRows | undefined {
    this.#open(`cannot read run "${runId}"`);
    const run = this.#runs.get(runId);
    if (run === undefined) return undefined;
    return { count: run.row.skipped_rows, rows: run.skipped.map((k) => ({ ...k })) };
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

/**
 * Screens a batch (row-checks.ts), encodes what remains and checks it against the run as SQLite's keys would:
 * a fill or trade whose id is stored, or a fill or signal whose order is not, is skipped, and so is a trade
 * closed by a skipped fill. Changes nothing in the run.
 */
function stage(run: MemoryRun, batch: RunBatch) {
  const screened = screenBatch(batch);
  const skipped = [...screened.skipped];
  const skippedFills = new Set(screened.skippedFills);
  const orders = screened.batch.orders.map(encodeOrder);
  const orderIds = new Set(run.orders.keys());
  for (const o of orders) orderIds.add(o.id);
  const fills = [];
  const fillIds = new Set<number>();
  for (const f of screened.batch.fills.map(encodeFill)) {
    const name = rowName('fills', f);
    if (run.fills.has(f.id) || fillIds.has(f.id)) skipped.push(alreadyStored('fills', name, f.id));
    else if (!orderIds.has(f.order_id)) skipped.push(orderMissing('fills', name, f.order_id));
    else {
      fillIds.add(f.id);
      fills.push(f);
      continue;
    }
    skippedFills.add(closingKey(f.account, f.strategy, f.symbol, f.ts));
  }
  const trades = [];
  const tradeIds = new Set<number>();
  for (const t of screened.batch.trades.map(encodeTrade)) {
    const name = rowName('trades', t);
    if (run.trades.has(t.id) || tradeIds.has(t.id)) skipped.push(alreadyStored('trades', name, t.id));
    else if (skippedFills.has(closingKey(t.account, t.strategy, t.symbol, t.exit_time))) {
      skipped.push(closedBySkippedFill(name, t.exit_time));
    } else {
      tradeIds.add(t.id);
      trades.push(t);
    }
  }
  const signals = [];
  for (const g of screened.batch.signals.map(encodeSignal)) {
    if (g.order_id !== null && !orderIds.has(g.order_id)) {
      skipped.push(orderMissing('signals', rowName('signals', g), g.order_id));
    } else signals.push(g);
  }
  return { orders, fills, trades, signals, equity: screened.batch.equity.map(encodeEquity), skipped };
}
