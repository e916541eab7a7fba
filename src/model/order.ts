// Orders, fills, round-trip trades and positions, as a run records them.
import type { Bracket, OrderType, TimeInForce } from './signal.ts';

/** Side of an order or fill. */
export type Side = 'buy' | 'sell';

/** Lifecycle state of an order; an order partly filled stays `open` (see `filledQuantity`). */
export type OrderStatus = 'open' | 'filled' | 'rejected' | 'cancelled';

/**
 * What happened to an order, as listeners and strategies hear of it: a state change, a fill (partial or
 * whole), a new price or quantity, a stop-limit's trigger, or a cancel or replace request that was refused
 * (the order is unchanged; `OrderUpdate.reason` says why).
 */
export type OrderEvent =
  | 'accepted'
  | 'rejected'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'replaced'
  | 'triggered'
  | 'cancel_rejected'
  | 'replace_rejected';

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
  /** The strategy's name for the order (its signal's `ref`, or `#<id>` when it gave none). */
  readonly ref?: string;
  /** Absent means `GTC`. */
  readonly timeInForce?: TimeInForce;
  /** `stop_limit`: the trigger price; `trailing_stop`: the stop price now (it moves with the best price). */
  readonly stopPrice?: number;
  readonly trailAmount?: number;
  readonly trailPercent?: number;
  /** A stop-limit order whose stop was reached: it works as a limit order from then on. */
  readonly triggered?: boolean;
  /** Shares filled so far (absent means 0). */
  readonly filledQuantity?: number;
  /** The average price of the shares filled so far. */
  readonly avgFillPrice?: number;
  /** An entry's exits, placed as an OCO pair once it fills. */
  readonly bracket?: Bracket;
  /** A bracket exit: the entry order it belongs to. */
  readonly parentId?: number;
  /** One leg of an OCO pair: the other leg, cancelled when this one fills. */
  readonly ocoId?: number;
  /** A risk refusal: the rule that refused the order (its numbers are in `reason`). */
  readonly riskRule?: string;
}

/** One event of an order, as a strategy's `onOrder` receives it: the order as it stands after it. */
export interface OrderUpdate {
  readonly event: OrderEvent;
  readonly order: Order;
  /** Why a cancel or replace was refused, or why the order was rejected or cancelled. */
  readonly reason?: string;
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
