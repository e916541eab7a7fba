// The rows of the event tables (fills, trades, signals, equity; orders in order-rows.ts), encoded and
// decoded the same way by every store.
import { TradeflowError } from '../core/errors.ts';
import type { Fill, Side, Trade } from '../model/order.ts';
import type { EquityPoint, SignalRecord } from '../model/run.ts';
import type { OrderType, Signal, SignalAction } from '../model/signal.ts';

/*
 * Flat rows, one per event table (runs are in run-row.ts), shared by every store: SQLite reads them as they
 * are and writes the same values by position (flat-batch.ts), and the memory store keeps them, so both
 * stores encode and decode the same way (absent optional fields are null in a row and absent again when
 * read back; JSON columns round-trip through JSON). Both write only rows that row-checks.ts passed; the
 * checks here are a last guard.
 */

/** A row of `fills` (without run_id). */
export interface FillRow {
  id: number;
  order_id: number;
  strategy: string;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  commission: number;
  ts: number;
  account: string;
}

/** A row of `trades` (without run_id). */
export interface TradeRow {
  id: number;
  strategy: string;
  symbol: string;
  direction: number;
  quantity: number;
  entry_time: number;
  entry_price: number;
  exit_time: number;
  exit_price: number;
  pnl: number;
  commission: number;
  bars: number;
  account: string;
}

/** A row of `signals` (without run_id and seq). */
export interface SignalRow {
  ts: number;
  strategy: string;
  symbol: string;
  action: string;
  quantity: number | null;
  price: number | null;
  order_type: string | null;
  reason: string | null;
  confidence: number | null;
  metadata: string | null;
  order_id: number | null;
}

/** The sides a stored row may hold. */
export const SIDES: readonly Side[] = ['buy', 'sell'];
/** The order types a stored row may hold. */
export const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const ACTIONS: readonly SignalAction[] = ['BUY', 'SELL', 'HOLD', 'CLOSE', 'CANCEL', 'REPLACE'];

/** Returns `value` as one of `allowed`, or throws: a stored enum that the model does not know is corruption. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TradeflowError('TF_ERR_STORAGE', `stored ${what} "${value}" is not one of ${allowed.join(', ')}`);
}

/** Returns `value` when it is a number and not NaN: SQLite would store NaN as NULL, silently. */
export function num(value: number, what: string): number {
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  throw new TradeflowError('TF_ERR_STORAGE', `${what} is ${String(value)}, not a number`);
}

/** Returns `value` as a column value: null when absent, else a number that is not NaN (or throws). */
export function optNum(value: number | undefined, what: string): number | null {
  return value === undefined ? null : num(value, what);
}

/** Encodes a fill. */
export function encodeFill(f: Fill): FillRow {
  const what = `fill ${f.id}`;
  return {
    id: num(f.id, `${what}: id`),
    order_id: num(f.orderId, `${what}: orderId`),
    strategy: f.strategy,
    symbol: f.symbol,
    side: f.side,
    quantity: num(f.quantity, `${what}: quantity`),
    price: num(f.price, `${what}: price`),
    commission: num(f.commission, `${what}: commission`),
    ts: num(f.ts, `${what}: ts`),
    account: f.account,
  };
}

/** Decodes a fill row. */
export function decodeFill(r: FillRow): Fill {
  return {
    id: r.id,
    orderId: r.order_id,
    account: r.account,
    strategy: r.strategy,
    symbol: r.symbol,
    side: oneOf(r.side, SIDES, 'fill side'),
    quantity: r.quantity,
    price: r.price,
    commission: r.commission,
    ts: r.ts,
  };
}

/** Encodes a trade. */
export function encodeTrade(t: Trade): TradeRow {
  const what = `trade ${t.id}`;
  return {
    id: num(t.id, `${what}: id`),
    strategy: t.strategy,
    symbol: t.symbol,
    direction: t.direction,
    quantity: num(t.quantity, `${what}: quantity`),
    entry_time: num(t.entryTime, `${what}: entryTime`),
    entry_price: num(t.entryPrice, `${what}: entryPrice`),
    exit_time: num(t.exitTime, `${what}: exitTime`),
    exit_price: num(t.exitPrice, `${what}: exitPrice`),
    pnl: num(t.pnl, `${what}: pnl`),
    commission: num(t.commission, `${what}: commission`),
    bars: num(t.bars, `${what}: bars`),
    account: t.account,
  };
}

/** Decodes a trade row. */
export function decodeTrade(r: TradeRow): Trade {
  if (r.direction !== 1 && r.direction !== -1) {
    throw new TradeflowError(
      'TF_ERR_STORAGE',
      `stored trade ${r.id} has direction ${r.direction}, not 1 or -1`,
    );
  }
  return {
    id: r.id,
    account: r.account,
    strategy: r.strategy,
    symbol: r.symbol,
    direction: r.direction,
    quantity: r.quantity,
    entryTime: r.entry_time,
    entryPrice: r.entry_price,
    exitTime: r.exit_time,
    exitPrice: r.exit_price,
    pnl: r.pnl,
    commission: r.commission,
    bars: r.bars,
  };
}

/** Encodes a signal record. */
export function encodeSignal(s: SignalRecord): SignalRow {
  const g = s.signal;
  const what = `signal of ${s.strategy} at ${s.ts}`;
  return {
    ts: num(s.ts, `${what}: ts`),
    strategy: s.strategy,
    symbol: g.symbol,
    action: g.action,
    quantity: optNum(g.quantity, `${what}: quantity`),
    price: optNum(g.price, `${what}: price`),
    order_type: g.orderType ?? null,
    reason: g.reason ?? null,
    confidence: optNum(g.confidence, `${what}: confidence`),
    metadata: g.metadata === undefined ? null : JSON.stringify(g.metadata),
    order_id: optNum(s.orderId, `${what}: orderId`),
  };
}

/** Decodes a signal row. */
export function decodeSignal(r: SignalRow): SignalRecord {
  const signal: Signal = {
    symbol: r.symbol,
    action: oneOf(r.action, ACTIONS, 'signal action'),
    ...(r.quantity === null ? {} : { quantity: r.quantity }),
    ...(r.price === null ? {} : { price: r.price }),
    ...(r.order_type === null ? {} : { orderType: oneOf(r.order_type, ORDER_TYPES, 'signal order type') }),
    ...(r.reason === null ? {} : { reason: r.reason }),
    ...(r.confidence === null ? {} : { confidence: r.confidence }),
    ...(r.metadata === null ? {} : { metadata: JSON.parse(r.metadata) as Readonly<Record<string, unknown>> }),
  };
  return { ts: r.ts, strategy: r.strategy, signal, ...(r.order_id === null ? {} : { orderId: r.order_id }) };
}

/** Encodes an equity point (its fields are already the columns). */
export function encodeEquity(p: EquityPoint): EquityPoint {
  return {
    ts: num(p.ts, 'equity point: ts'),
    equity: num(p.equity, `equity point at ${p.ts}: equity`),
    cash: num(p.cash, `equity point at ${p.ts}: cash`),
  };
}
