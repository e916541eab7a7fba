// How the paper broker changes an order once it works: publishing each change, a fill (whole or partial)
// checked against cash and the short rule, closing it, and what a fill sets off (a bracket's exits, an OCO sibling).
import type { IntrabarRule } from '../config/orders-config.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { Fill, Order, OrderEvent, OrderStatus } from '../model/order.ts';
import type { ExecutionListener } from './broker.ts';
import type { CommissionModel, SlippageModel } from './costs.ts';
import type { ExecutionIds } from './execution-ids.ts';
import type { OrderBook, Working } from './order-book.ts';
import type { Portfolio } from './portfolio.ts';

/** What the desk needs of the broker's options. */
export interface DeskOptions {
  readonly portfolio: Portfolio;
  readonly commission: CommissionModel;
  readonly slippage: SlippageModel;
  readonly allowShort: boolean;
  readonly listeners: readonly ExecutionListener[];
  readonly account: string;
  readonly ids: ExecutionIds;
  readonly intrabar: IntrabarRule;
}

/** Changes working orders and tells the listeners, in the order things happen. */
export class OrderDesk {
  readonly #o: DeskOptions;
  readonly #book: OrderBook;

  constructor(options: DeskOptions, book: OrderBook) {
    this.#o = options;
    this.#book = book;
  }

  /** Tells every listener of an order event. */
  emit(order: Order, event: OrderEvent, reason?: string): void {
    for (const l of this.#o.listeners) l.onOrder?.(order, event, reason);
  }

  /** Publishes a new state of a working order. */
  update(w: Working, order: Order, event: OrderEvent, reason?: string): void {
    w.order = order;
    this.emit(order, event, reason);
  }

  /**
   * Ends a working order (cancelled, rejected) and tells the listeners. A bracket entry that filled in part
   * gets its exits for that part, unless `placeExits` is false (the whole run is ending).
   */
  close(
    w: Working,
    status: Exclude<OrderStatus, 'open' | 'filled'>,
    ts: number,
    reason: string,
    placeExits = true,
  ): Order {
    const closed: Order = { ...w.order, status, tsClosed: ts, reason };
    this.#book.close(w, closed);
    this.emit(closed, status, reason);
    if (placeExits && (closed.filledQuantity ?? 0) > 0) this.#placeExits(closed, w.symbolId, ts);
    return closed;
  }

  /**
   * Fills `quantity` of a working order at `rawPrice` (before slippage; limit prices take none) on the bar
   * at `ts`. A fill the cash cannot pay, or that would open a short when shorting is off, ends the order
   * instead (rejected, or cancelled when part of it filled before). Returns whether it filled.
   */
  fill(w: Working, quantity: number, rawPrice: number, ts: number, barIndex: number): boolean {
    const { order } = w;
    const { portfolio, slippage, commission } = this.#o;
    const limitLike = order.type === 'limit' || order.type === 'stop_limit';
    const price = limitLike ? rawPrice : slippage.apply(order.side, rawPrice);
    const fee = commission.commission(quantity, price);
    const refusal = this.#refusal(order, quantity, price, fee);
    if (refusal !== undefined) {
      this.close(w, (order.filledQuantity ?? 0) > 0 ? 'cancelled' : 'rejected', ts, refusal);
      return false;
    }
    const fill: Fill = {
      id: this.#o.ids.nextFill++,
      orderId: order.id,
      account: this.#o.account,
      strategy: order.strategy,
      symbol: order.symbol,
      side: order.side,
      quantity,
      price,
      commission: fee,
      ts,
    };
    const filled = (order.filledQuantity ?? 0) + quantity;
    w.notional += quantity * price;
    const whole = filled >= order.quantity - 1e-9 * order.quantity;
    const next: Order = {
      ...order,
      filledQuantity: whole ? order.quantity : filled,
      avgFillPrice: whole && filled === quantity ? price : w.notional / filled,
      ...(whole ? { status: 'filled' as const, tsClosed: ts } : {}),
    };
    if (whole) {
      this.#book.close(w, next);
      this.emit(next, 'filled');
    } else this.update(w, next, 'partially_filled');
    // The portfolio first, so that a listener hearing of the fill sees the position it leaves.
    const trade = portfolio.applyFill(fill, w.symbolId, barIndex);
    const position = portfolio.position(fill.strategy, fill.symbol);
    for (const l of this.#o.listeners) l.onFill?.(fill, position);
    if (trade) for (const l of this.#o.listeners) l.onTrade?.(trade);
    if (next.ocoId !== undefined) this.#followSibling(next, quantity, ts);
    if (whole) this.#placeExits(next, w.symbolId, ts);
    return true;
  }

  #refusal(order: Order, quantity: number, price: number, fee: number): string | undefined {
    const { portfolio } = this.#o;
    if (order.side === 'buy') {
      const cost = quantity * price + fee;
      // Covering a short releases cash only up to what was shorted, so check the whole cost against cash.
      if (cost > portfolio.cash + 1e-9) {
        return `insufficient cash: needs ${round2(cost)}, has ${round2(portfolio.cash)}`;
      }
      return undefined;
    }
    const held = portfolio.position(order.strategy, order.symbol);
    if (this.#o.allowShort || quantity <= held + 1e-12) return undefined;
    const setting =
      this.#o.account === DEFAULT_ACCOUNT
        ? 'broker.allow_short'
        : `allow_short of account "${this.#o.account}"`;
    return `selling ${quantity} with ${held} held would open a short position; set ${setting} to allow it`;
  }

  /** One leg of an OCO pair filled `quantity`: the other leg shrinks by as much, and is cancelled once nothing is left. */
  #followSibling(leg: Order, quantity: number, ts: number): void {
    const w = this.#book.working(leg.ocoId as number);
    if (w === undefined) return;
    const sibling = w.order;
    const rest = sibling.quantity - quantity;
    if (leg.status === 'filled' || rest <= (sibling.filledQuantity ?? 0) + 1e-9 * sibling.quantity) {
      this.close(w, 'cancelled', ts, `OCO: its sibling order ${leg.id} (${leg.ref ?? ''}) filled`);
      return;
    }
    this.update(
      w,
      { ...sibling, quantity: rest },
      'replaced',
      `OCO: its sibling order ${leg.id} (${leg.ref ?? ''}) filled ${quantity}, so ${rest} are left`,
    );
  }

  /**
   * Places a bracket entry's exits on the exit side for the quantity it filled: a stop at the stop-loss
   * and a limit at the take-profit, GTC, linked as an OCO pair when both are given. They work from the next
   * bar of the symbol on (the book is walked from a snapshot taken before the bar).
   */
  #placeExits(entry: Order, symbolId: number, ts: number): void {
    const { bracket } = entry;
    if (bracket === undefined || entry.parentId !== undefined) return;
    const ids = this.#o.ids;
    const slId = bracket.stopLoss === undefined ? undefined : ids.nextOrder++;
    const tpId = bracket.takeProfit === undefined ? undefined : ids.nextOrder++;
    const ref = entry.ref ?? `#${entry.id}`;
    const leg = (
      id: number,
      type: 'stop' | 'limit',
      price: number,
      suffix: string,
      ocoId?: number,
    ): Order => ({
      id,
      account: entry.account,
      strategy: entry.strategy,
      symbol: entry.symbol,
      side: entry.side === 'buy' ? 'sell' : 'buy',
      quantity: entry.filledQuantity as number,
      type,
      price,
      tsCreated: ts,
      status: 'open',
      ref: `${ref}:${suffix}`,
      parentId: entry.id,
      ...(ocoId === undefined ? {} : { ocoId }),
    });
    const legs: Order[] = [];
    if (slId !== undefined) legs.push(leg(slId, 'stop', bracket.stopLoss as number, 'sl', tpId));
    if (tpId !== undefined) legs.push(leg(tpId, 'limit', bracket.takeProfit as number, 'tp', slId));
    for (const order of legs) {
      this.#book.add(order, symbolId);
      this.emit(order, 'accepted');
    }
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
