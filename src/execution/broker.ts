// The broker port: what a signal asks a broker for, and who hears of its orders, fills and trades.
import type { Fill, Order, Side, Trade } from '../model/order.ts';
import type { OrderType } from '../model/signal.ts';

/** What a strategy's signal asks the broker for. */
export interface OrderRequest {
  readonly strategy: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  readonly price?: number;
  readonly signalReason?: string;
}

/** Hears of every order state change, fill and closed trade of an account, in the order they happen. */
export interface ExecutionListener {
  onOrder?(order: Order): void;
  /** `position`: the strategy's position in the symbol, in this account, after the fill. */
  onFill?(fill: Fill, position: number): void;
  onTrade?(trade: Trade): void;
}

/** The broker port: the paper broker implements it, and a live venue adapter will too. */
export interface Broker {
  /** Accepts an order (status open) or rejects it with a reason; either way its listeners hear of it. */
  submit(request: OrderRequest, tsCreated: number): Order;
  /** Offers a new bar of a symbol to its open orders; fills happen inside. */
  onBar(symbolId: number, ts: number, open: number, high: number, low: number, barIndex: number): void;
  /** Cancels every open order (the run ended or was stopped). */
  cancelAll(ts: number, reason: string): void;
  /** Returns the number of open orders. */
  readonly openOrderCount: number;
}
