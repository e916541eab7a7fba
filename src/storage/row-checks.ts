// The store's own defence: each row of a batch is checked before it is written, and a row that cannot be
// stored honestly is set aside (with the rows that depend on it), so the rest of its batch is kept.
import type { Fill, Order, Trade } from '../model/order.ts';
import type { EquityPoint, SignalRecord } from '../model/run.ts';
import { EQUITY, FILL, first, NOT_NUMBER, ORDER, SIGNAL, TRADE, type RowProblem } from './row-fields.ts';
import type { RunBatch, SkippedRow } from './store.ts';

/*
 * What a stored row must be: every number a number and not NaN (SQLite would store NaN as NULL), every
 * text a string, every enum one of its values (a stored enum the model does not know makes the run
 * unreadable), and a signal's metadata JSON. The engine validates signals where they leave a strategy;
 * this is the store's backstop, so that one bad row never costs a run its other rows.
 *
 * Dependants go with the row they depend on: a fill or signal whose order is not stored is skipped (the
 * database's foreign keys say so, and every store applies the same rule), and a trade closed by a fill
 * that was skipped in the same batch is skipped too (the trade is recorded in the batch of its closing
 * fill), so that no trade is stored without its fills.
 */

/** At most this many skipped rows of a run are described; all are counted. */
export const MAX_SKIPPED_DETAILS = 100;

/** Returns a value as text for a record of what was skipped: at most 200 characters, never throwing. */
export function describeValue(value: unknown): string {
  let s: string;
  try {
    if (typeof value === 'string') s = JSON.stringify(value);
    else if (typeof value === 'bigint') s = `${value}n`;
    else if (typeof value === 'object' && value !== null) {
      s = JSON.stringify(value) ?? Object.prototype.toString.call(value);
    } else s = String(value);
  } catch {
    s = Object.prototype.toString.call(value);
  }
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}

const label = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : '?');

function skip(table: string, row: string, problem: RowProblem): SkippedRow {
  return {
    table,
    row,
    field: problem.field,
    value: describeValue(problem.value),
    reason: `${problem.field} ${problem.reason}`,
  };
}

/** Returns the problem of a signal record's own fields (its order reference is checked by the store). */
function signalProblem(r: SignalRecord): RowProblem | undefined {
  if (typeof r.ts !== 'number' || r.ts !== r.ts) return { field: 'ts', value: r.ts, reason: NOT_NUMBER };
  if (typeof r.strategy !== 'string')
    return { field: 'strategy', value: r.strategy, reason: 'is not a string' };
  const g = r.signal as unknown;
  if (typeof g !== 'object' || g === null) return { field: 'signal', value: g, reason: 'is not an object' };
  const own = first(SIGNAL, g);
  if (own !== undefined) return own;
  if (r.orderId !== undefined && (typeof r.orderId !== 'number' || r.orderId !== r.orderId)) {
    return { field: 'orderId', value: r.orderId, reason: NOT_NUMBER };
  }
  const metadata = (g as { metadata?: unknown }).metadata;
  if (metadata !== undefined) {
    try {
      if (typeof metadata !== 'object' || metadata === null || JSON.stringify(metadata) === undefined) {
        return { field: 'metadata', value: metadata, reason: 'is not a JSON object' };
      }
    } catch (e) {
      return {
        field: 'metadata',
        value: metadata,
        reason: `cannot be stored as JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`,
      };
    }
  }
  return undefined;
}

/** The name a skipped row is given: `order 12`, `fill 3`, `signal of sma at 1700000000000`. */
export function rowName(table: string, of: object): string {
  const row = of as Record<string, unknown>;
  switch (table) {
    case 'orders':
      return `order ${label(row['id'])}`;
    case 'fills':
      return `fill ${label(row['id'])}`;
    case 'trades':
      return `trade ${label(row['id'])}`;
    case 'signals':
      return `signal of ${label(row['strategy'])} at ${label(row['ts'])}`;
    default:
      return `equity point at ${label(row['ts'])}`;
  }
}

/** The key that ties a trade to the fill that closed it. */
export const closingKey = (account: string, strategy: string, symbol: string, ts: number): string =>
  `${account}\u0000${strategy}\u0000${symbol}\u0000${ts}`;

/** A batch split into the rows a store may write and the rows it must skip. */
export interface ScreenedBatch {
  readonly batch: RunBatch;
  readonly skipped: readonly SkippedRow[];
  /** Closing keys of the fills skipped, so the store skips the trades they closed when it skips more. */
  readonly skippedFills: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Checks every row of a batch; returns the batch itself when every row is sound (no copy on the common
 * path), else a batch without the bad rows and the trades their fills closed, with a record of each.
 */
export function screenBatch(batch: RunBatch): ScreenedBatch {
  const skipped: SkippedRow[] = [];
  const keep = <T extends object>(
    table: string,
    rows: readonly T[],
    problem: (r: T) => RowProblem | undefined,
  ) => {
    let kept: T[] | undefined;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const p = problem(r);
      if (p === undefined) {
        kept?.push(r);
        continue;
      }
      kept ??= rows.slice(0, i);
      skipped.push(skip(table, rowName(table, r), p));
    }
    return kept ?? rows;
  };
  const orders = keep('orders', batch.orders, (o: Order) => first(ORDER, o));
  const fills = keep('fills', batch.fills, (f: Fill) => first(FILL, f));
  let skippedFills = NONE;
  if (fills !== batch.fills) {
    const kept = new Set(fills);
    skippedFills = new Set(
      batch.fills
        .filter((f) => !kept.has(f))
        .map((f) => closingKey(String(f.account), String(f.strategy), String(f.symbol), f.ts)),
    );
  }
  let trades = keep('trades', batch.trades, (t: Trade) => first(TRADE, t));
  if (skippedFills.size > 0) {
    const closedBySkipped = (t: Trade) =>
      skippedFills.has(closingKey(t.account, t.strategy, t.symbol, t.exitTime));
    for (const t of trades) {
      if (closedBySkipped(t)) skipped.push(closedBySkippedFill(rowName('trades', t), t.exitTime));
    }
    trades = trades.filter((t) => !closedBySkipped(t));
  }
  const signals = keep('signals', batch.signals, signalProblem);
  const equity = keep('equity', batch.equity, (p: EquityPoint) => first(EQUITY, p));
  if (skipped.length === 0) return { batch, skipped, skippedFills };
  return { batch: { orders, fills, trades, signals, equity }, skipped, skippedFills };
}

/** The record of a fill or signal skipped because its order is not stored. */
export function orderMissing(table: string, row: string, orderId: unknown): SkippedRow {
  return {
    table,
    row,
    field: 'orderId',
    value: describeValue(orderId),
    reason: `its order ${label(orderId)} is not stored for this run (skipped, or never written)`,
  };
}

/** The record of a row skipped because a row with its id is already stored. */
export function alreadyStored(table: string, row: string, id: unknown): SkippedRow {
  return {
    table,
    row,
    field: 'id',
    value: describeValue(id),
    reason: 'a row with this id is already stored for this run',
  };
}

/** The record of a trade skipped because the fill that closed it was. */
export function closedBySkippedFill(row: string, exitTime: unknown): SkippedRow {
  return {
    table: 'trades',
    row,
    field: 'exitTime',
    value: describeValue(exitTime),
    reason: 'the fill that closed it was skipped: the trade goes with it',
  };
}
