import { TradeflowError } from '../core/errors.ts';
import type { Fill, Order, Trade } from '../model/order.ts';
import type { EquityPoint, SignalRecord } from '../model/run.ts';
import { encodeEquity, encodeFill, encodeOrder, encodeSignal, encodeTrade } from './rows.ts';
import type { RunBatch } from './store.ts';

/*
 * A batch as flat lists of column values, one list per table, row after row in the order of the columns
 * below (run_id excluded). This is what the SQLite writer binds, and what the threaded store posts to its
 * worker: a list of strings and numbers costs far less to copy between threads than the event objects.
 * The encoding is the one of rows.ts (absent optional fields are null, metadata is JSON); a value that
 * SQLite would store wrongly (NaN becomes NULL) is rejected here, naming the row and the field.
 */

/** A value bound to a column. */
export type Cell = string | number | null;

/** The columns of each event table, in the order a flat row holds them. */
export const COLUMNS = {
  orders: [
    'id',
    'strategy',
    'symbol',
    'side',
    'quantity',
    'type',
    'price',
    'ts_created',
    'status',
    'ts_closed',
    'reason',
    'signal_reason',
    'account',
  ],
  fills: ['id', 'order_id', 'strategy', 'symbol', 'side', 'quantity', 'price', 'commission', 'ts', 'account'],
  trades: [
    'id',
    'strategy',
    'symbol',
    'direction',
    'quantity',
    'entry_time',
    'entry_price',
    'exit_time',
    'exit_price',
    'pnl',
    'commission',
    'bars',
    'account',
  ],
  signals: [
    'ts',
    'strategy',
    'symbol',
    'action',
    'quantity',
    'price',
    'order_type',
    'reason',
    'confidence',
    'metadata',
    'order_id',
  ],
  equity: ['ts', 'equity', 'cash'],
} as const satisfies Record<string, readonly string[]>;

/** An event table of a run. */
export type EventTable = keyof typeof COLUMNS;

/** A batch as flat column values per table: `values.length` is rows times the table's column count. */
export type FlatBatch = { readonly [T in EventTable]: Cell[] };

const isNum = (v: unknown): boolean => typeof v === 'number' && v === v;
const isOptNum = (v: unknown): boolean => v === undefined || (typeof v === 'number' && v === v);

/**
 * Throws the message of the row's full encoder, which names the field that is not a number. (Taking the row
 * as an argument, not in a closure, keeps the hot loops from allocating a context per row.)
 */
function reject<T>(encode: (row: T) => unknown, row: T): never {
  encode(row);
  throw new TradeflowError('TF_ERR_INTERNAL', 'a row failed the fast number check but passed its encoder');
}

/** Flattens a batch; throws a TF_ERR_STORAGE error naming the row when a number is NaN or not a number. */
export function flattenBatch(batch: RunBatch): FlatBatch {
  return {
    orders: flatOrders(batch.orders),
    fills: flatFills(batch.fills),
    trades: flatTrades(batch.trades),
    signals: flatSignals(batch.signals),
    equity: flatEquity(batch.equity),
  };
}

function flatOrders(orders: readonly Order[]): Cell[] {
  const out: Cell[] = [];
  for (const o of orders) {
    const { id, quantity, price, tsCreated, tsClosed } = o;
    if (!(isNum(id) && isNum(quantity) && isOptNum(price) && isNum(tsCreated) && isOptNum(tsClosed))) {
      reject(encodeOrder, o);
    }
    out.push(
      id,
      o.strategy,
      o.symbol,
      o.side,
      quantity,
      o.type,
      price ?? null,
      tsCreated,
      o.status,
      tsClosed ?? null,
      o.reason ?? null,
      o.signalReason ?? null,
      o.account,
    );
  }
  return out;
}

function flatFills(fills: readonly Fill[]): Cell[] {
  const out: Cell[] = [];
  for (const f of fills) {
    const { id, orderId, quantity, price, commission, ts } = f;
    if (!(isNum(id) && isNum(orderId) && isNum(quantity) && isNum(price) && isNum(commission) && isNum(ts))) {
      reject(encodeFill, f);
    }
    out.push(id, orderId, f.strategy, f.symbol, f.side, quantity, price, commission, ts, f.account);
  }
  return out;
}

function flatTrades(trades: readonly Trade[]): Cell[] {
  const out: Cell[] = [];
  for (const t of trades) {
    const ok =
      isNum(t.id) &&
      isNum(t.quantity) &&
      isNum(t.entryTime) &&
      isNum(t.entryPrice) &&
      isNum(t.exitTime) &&
      isNum(t.exitPrice) &&
      isNum(t.pnl) &&
      isNum(t.commission) &&
      isNum(t.bars);
    if (!ok) reject(encodeTrade, t);
    out.push(
      t.id,
      t.strategy,
      t.symbol,
      t.direction,
      t.quantity,
      t.entryTime,
      t.entryPrice,
      t.exitTime,
      t.exitPrice,
      t.pnl,
      t.commission,
      t.bars,
      t.account,
    );
  }
  return out;
}

function flatSignals(signals: readonly SignalRecord[]): Cell[] {
  const out: Cell[] = [];
  for (const s of signals) {
    const g = s.signal;
    if (!(
      isNum(s.ts) &&
      isOptNum(g.quantity) &&
      isOptNum(g.price) &&
      isOptNum(g.confidence) &&
      isOptNum(s.orderId)
    )) {
      reject(encodeSignal, s);
    }
    out.push(
      s.ts,
      s.strategy,
      g.symbol,
      g.action,
      g.quantity ?? null,
      g.price ?? null,
      g.orderType ?? null,
      g.reason ?? null,
      g.confidence ?? null,
      g.metadata === undefined ? null : JSON.stringify(g.metadata),
      s.orderId ?? null,
    );
  }
  return out;
}

function flatEquity(points: readonly EquityPoint[]): Cell[] {
  const out: Cell[] = [];
  for (const p of points) {
    if (!(isNum(p.ts) && isNum(p.equity) && isNum(p.cash))) reject(encodeEquity, p);
    out.push(p.ts, p.equity, p.cash);
  }
  return out;
}
