// The broker port: what a signal asks a broker for, and who hears of its orders, fills and trades.
import type { Fill, Order, OrderEvent, Side, Trade } from '../model/order.ts';
import type { Bracket, OrderType, TimeInForce } from '../model/signal.ts';

/** What a strategy's signal asks the broker for. */
export interface OrderRequest {
  readonly strategy: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  /** Limit price (`limit`, `stop_limit`) or stop price (`stop`). */
  readonly price?: number;
  /** `stop_limit`: the trigger price. */
  readonly stopPrice?: number;
  readonly trailAmount?: number;
  readonly trailPercent?: number;
  /** Default `GTC`. */
  readonly timeInForce?: TimeInForce;
  readonly bracket?: Bracket;
  /** The strategy's name for the order. */
  readonly ref?: string;
  readonly signalReason?: string;
}

/** What a REPLACE changes in a working order: its limit or stop price, its trigger, its total quantity. */
export interface OrderChanges {
  readonly price?: number;
  readonly stopPrice?: number;
  readonly quantity?: number;
}

/** One base bar as a broker sees it. */
export interface BarPrices {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Hears of every order event, fill and closed trade of an account, in the order they happen. */
export interface ExecutionListener {
  /** `reason`: why a cancel or replace was refused (the order is unchanged then), or why it closed. */
  onOrder?(order: Order, event: OrderEvent, reason?: string): void;
  /** `position`: the strategy's position in the symbol, in this account, after the fill. */
  onFill?(fill: Fill, position: number): void;
  onTrade?(trade: Trade): void;
}

/** The broker port: the paper broker implements it, and a live venue adapter will too. */
export interface Broker {
  /** Accepts an order (status open) or rejects it with a reason; either way its listeners hear of it. */
  submit(request: OrderRequest, tsCreated: number): Order;
  /** Records an order refused before it reached the venue (a risk rule): rejected, with its rule and reason. */
  reject(request: OrderRequest, tsCreated: number, reason: string, rule: string): Order;
  /**
   * Cancels a working order; an order that is no longer working (filled, cancelled, rejected) is refused:
   * listeners hear `cancel_rejected` with the reason. Returns the order as it stands after, or undefined
   * for an id the broker never gave (no event: there is no order to report).
   */
  cancel(orderId: number, ts: number, reason?: string): Order | undefined;
  /** Changes a working order's price, trigger or quantity; refused (`replace_rejected`) like `cancel`. */
  replace(orderId: number, changes: OrderChanges, ts: number): Order | undefined;
  /** Offers a new bar of a symbol to its working orders; fills happen inside. */
  onBar(symbolId: number, bar: BarPrices, barIndex: number): void;
  /** A trading session closed at `ts` (its last step's time): DAY orders are cancelled. */
  endSession(ts: number): void;
  /** Cancels every open order (the run ended or was stopped). */
  cancelAll(ts: number, reason: string): void;
  /** Returns the working orders (of one strategy when named), in id order. */
  openOrders(strategy?: string): Order[];
  /** Returns the number of one strategy's working orders (without building the list). */
  openOrderCountOf(strategy: string): number;
  /** Returns the number of open orders. */
  readonly openOrderCount: number;
}
