// Orders, fills, round-trip trades and positions, as a run records them.
import type { OrderType } from './signal.ts';

/** Side of an order or fill. */
export type Side = 'buy' | 'sell';

/** Lifecycle state of an order. */
export type OrderStatus = 'open' | 'filled' | 'rejected' | 'cancelled';

/** An order as recorded: created from a signal at `tsCreated`, then filled, rejected or cancelled. */
export interface Order {
  readonly id: number;
  /** The paper account the order was sent to (`default` unless the strategy names others). */
  readonly account: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  /** Limit or stop price; absent for market orders. */
  readonly price?: number;
  readonly tsCreated: number;
  readonly status: OrderStatus;
  readonly tsClosed?: number;
  readonly reason?: string;
  /** The signal's reason, carried for the record. */
  readonly signalReason?: string;
}

/** One execution of an order. */
export interface Fill {
  readonly id: number;
  readonly orderId: number;
  /** The account the fill belongs to (its order's). */
  readonly account: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
  readonly ts: number;
}

/** A closed round trip: flat -> position -> flat, per account, strategy and symbol. */
export interface Trade {
  readonly id: number;
  /** The account whose position the trade opened and closed. */
  readonly account: string;
  readonly strategy: string;
  readonly symbol: string;
  /** 1 for long, -1 for short. */
  readonly direction: 1 | -1;
  /** The largest absolute size held during the trade. */
  readonly quantity: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  /** Net of commissions. */
  readonly pnl: number;
  readonly commission: number;
  readonly bars: number;
}

/** An open position, per strategy and symbol. */
export interface Position {
  readonly strategy: string;
  readonly symbol: string;
  /** Signed shares: positive long, negative short. */
  readonly quantity: number;
  readonly avgPrice: number;
}
