// The row of the `orders` table, encoded and decoded the same way by every store (rows.ts holds the
// other event tables): a managed order's fields each have a column, and absent ones stay absent.
import type { Order, OrderStatus } from '../model/order.ts';
import type { Bracket, TimeInForce } from '../model/signal.ts';
import { num, oneOf, optNum, ORDER_TYPES, SIDES } from './rows.ts';

const ORDER_STATUSES: readonly OrderStatus[] = ['open', 'filled', 'rejected', 'cancelled'];
const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'DAY', 'IOC', 'FOK'];

/*
 * Three columns are never null, so that SQL can count on them: `time_in_force` (GTC when the order has
 * none), `triggered` (0 or 1) and `filled_quantity` (0 before any fill). Read back, GTC, 0 and 0 are
 * absent again, as the broker leaves them.
 */

/** A row of `orders` (without run_id). */
export interface OrderRow {
  id: number;
  strategy: string;
  symbol: string;
  side: string;
  quantity: number;
  type: string;
  price: number | null;
  ts_created: number;
  status: string;
  ts_closed: number | null;
  reason: string | null;
  signal_reason: string | null;
  account: string;
  ref: string | null;
  /** Never null: `GTC` when the order has none. */
  time_in_force: string;
  stop_price: number | null;
  trail_amount: number | null;
  trail_percent: number | null;
  /** 0 or 1. */
  triggered: number;
  /** Never null: 0 when nothing filled. */
  filled_quantity: number;
  avg_fill_price: number | null;
  bracket_stop_loss: number | null;
  bracket_take_profit: number | null;
  parent_id: number | null;
  oco_id: number | null;
  risk_rule: string | null;
}

/** Encodes an order. */
export function encodeOrder(o: Order): OrderRow {
  const what = `order ${o.id}`;
  return {
    id: num(o.id, `${what}: id`),
    strategy: o.strategy,
    symbol: o.symbol,
    side: o.side,
    quantity: num(o.quantity, `${what}: quantity`),
    type: o.type,
    price: optNum(o.price, `${what}: price`),
    ts_created: num(o.tsCreated, `${what}: tsCreated`),
    status: o.status,
    ts_closed: optNum(o.tsClosed, `${what}: tsClosed`),
    reason: o.reason ?? null,
    signal_reason: o.signalReason ?? null,
    account: o.account,
    ref: o.ref ?? null,
    time_in_force: o.timeInForce ?? 'GTC',
    stop_price: optNum(o.stopPrice, `${what}: stopPrice`),
    trail_amount: optNum(o.trailAmount, `${what}: trailAmount`),
    trail_percent: optNum(o.trailPercent, `${what}: trailPercent`),
    triggered: o.triggered === true ? 1 : 0,
    filled_quantity: o.filledQuantity === undefined ? 0 : num(o.filledQuantity, `${what}: filledQuantity`),
    avg_fill_price: optNum(o.avgFillPrice, `${what}: avgFillPrice`),
    bracket_stop_loss: optNum(o.bracket?.stopLoss, `${what}: bracket.stopLoss`),
    bracket_take_profit: optNum(o.bracket?.takeProfit, `${what}: bracket.takeProfit`),
    parent_id: optNum(o.parentId, `${what}: parentId`),
    oco_id: optNum(o.ocoId, `${what}: ocoId`),
    risk_rule: o.riskRule ?? null,
  };
}

/** Decodes an order row. */
export function decodeOrder(r: OrderRow): Order {
  return {
    id: r.id,
    account: r.account,
    strategy: r.strategy,
    symbol: r.symbol,
    side: oneOf(r.side, SIDES, 'order side'),
    quantity: r.quantity,
    type: oneOf(r.type, ORDER_TYPES, 'order type'),
    ...(r.price === null ? {} : { price: r.price }),
    tsCreated: r.ts_created,
    status: oneOf(r.status, ORDER_STATUSES, 'order status'),
    ...(r.ts_closed === null ? {} : { tsClosed: r.ts_closed }),
    ...(r.reason === null ? {} : { reason: r.reason }),
    ...(r.signal_reason === null ? {} : { signalReason: r.signal_reason }),
    ...(r.ref === null ? {} : { ref: r.ref }),
    ...(r.time_in_force === 'GTC'
      ? {}
      : { timeInForce: oneOf(r.time_in_force, TIME_IN_FORCE, 'time in force') }),
    ...(r.stop_price === null ? {} : { stopPrice: r.stop_price }),
    ...(r.trail_amount === null ? {} : { trailAmount: r.trail_amount }),
    ...(r.trail_percent === null ? {} : { trailPercent: r.trail_percent }),
    ...(r.triggered === 0 ? {} : { triggered: true }),
    ...(r.filled_quantity === 0 ? {} : { filledQuantity: r.filled_quantity }),
    ...(r.avg_fill_price === null ? {} : { avgFillPrice: r.avg_fill_price }),
    ...decodeBracket(r.bracket_stop_loss, r.bracket_take_profit),
    ...(r.parent_id === null ? {} : { parentId: r.parent_id }),
    ...(r.oco_id === null ? {} : { ocoId: r.oco_id }),
    ...(r.risk_rule === null ? {} : { riskRule: r.risk_rule }),
  };
}

function decodeBracket(stopLoss: number | null, takeProfit: number | null): { bracket?: Bracket } {
  if (stopLoss === null && takeProfit === null) return {};
  return {
    bracket: {
      ...(stopLoss === null ? {} : { stopLoss }),
      ...(takeProfit === null ? {} : { takeProfit }),
    },
  };
}
