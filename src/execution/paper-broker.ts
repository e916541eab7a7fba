// The paper broker: accepts, cancels and replaces a strategy's orders and fills them against later bars
// (fill-rules.ts prices them, bar-pass.ts walks a bar, order-desk.ts changes them), with commission and slippage.
import type { IntrabarRule } from '../config/orders-config.ts';
import { toIsoUtc } from '../core/time.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { Order } from '../model/order.ts';
import { offerBar, type BarPass } from './bar-pass.ts';
import type { BarPrices, Broker, ExecutionListener, OrderChanges, OrderRequest } from './broker.ts';
import type { CommissionModel, SlippageModel } from './costs.ts';
import { ExecutionIds } from './execution-ids.ts';
import { trailFrom } from './fill-rules.ts';
import { OrderBook } from './order-book.ts';
import { changesProblem, requestProblem } from './order-checks.ts';
import { OrderDesk } from './order-desk.ts';
import type { Portfolio } from './portfolio.ts';

export { fillPrice } from './fill-rules.ts';

/** Options of the paper broker. */
export interface PaperBrokerOptions {
  readonly portfolio: Portfolio;
  /** Symbol names by id; an order for any other symbol is rejected. */
  readonly symbols: readonly string[];
  readonly commission: CommissionModel;
  readonly slippage: SlippageModel;
  readonly allowShort: boolean;
  /** Told of every order change, fill and trade, in this order (the recorder, then the host's position mirror). */
  readonly listeners: readonly ExecutionListener[];
  /** The account name stamped on orders and fills (default `default`). */
  readonly account?: string;
  /** Id sequences shared with the run's other accounts (default: the broker's own). */
  readonly ids?: ExecutionIds;
  /** Which exit of an OCO pair fills when one bar reaches both (default `worst`: the stop-loss). */
  readonly intrabar?: IntrabarRule;
  /** The most of a bar's volume (0 < s <= 1) the orders of a symbol may fill on it together; none when absent. */
  readonly maxVolumeShare?: number;
}

/**
 * A simulated venue (docs/orders.md). A market order raised on bar t's close fills at bar t+1's open (no
 * look-ahead); limit, stop, stop-limit and trailing-stop orders fill when a later bar trades through their
 * price, at that price or at the open when the bar gaps through it. Orders that cannot be accepted or
 * filled are rejected with a reason, never dropped; a cancel or replace that comes too late is refused
 * with what became of the order.
 */
export class PaperBroker implements Broker {
  readonly #symbolIds: Map<string, number>;
  readonly #book: OrderBook;
  readonly #desk: OrderDesk;
  readonly #pass: BarPass;
  readonly #ids: ExecutionIds;
  readonly #portfolio: Portfolio;
  /** The account this broker fills for. */
  readonly account: string;

  constructor(options: PaperBrokerOptions) {
    this.account = options.account ?? DEFAULT_ACCOUNT;
    this.#ids = options.ids ?? new ExecutionIds();
    this.#portfolio = options.portfolio;
    this.#symbolIds = new Map(options.symbols.map((s, i) => [s, i]));
    this.#book = new OrderBook(options.symbols.length);
    const intrabar = options.intrabar ?? 'worst';
    this.#desk = new OrderDesk({ ...options, account: this.account, ids: this.#ids, intrabar }, this.#book);
    this.#pass = { desk: this.#desk, book: this.#book, intrabar, maxVolumeShare: options.maxVolumeShare };
  }

  /** Accepts orders for a symbol that joined the session; its id is the next one, as in the portfolio. */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#symbolIds.size);
    this.#book.addSymbol();
  }

  get openOrderCount(): number {
    return this.#book.count;
  }

  /**
   * Takes back working orders a resumed live run had stored as open (with their ids and every field: part
   * filled, triggered, trailing stop, OCO links), without telling the listeners: they were recorded when
   * they were placed.
   */
  restoreWorking(orders: readonly Order[]): void {
    for (const order of orders) {
      const symbolId = this.#symbolIds.get(order.symbol);
      if (order.status !== 'open' || order.account !== this.account || symbolId === undefined) continue;
      this.#book.add(order, symbolId);
    }
  }

  submit(req: OrderRequest, tsCreated: number): Order {
    const id = this.#ids.nextOrder++;
    const symbolId = this.#symbolIds.get(req.symbol);
    const problem =
      symbolId === undefined
        ? `unknown symbol ${req.symbol}: no data source provides it`
        : requestProblem(req);
    if (problem !== undefined || symbolId === undefined) {
      const rejected: Order = {
        ...orderOf(req, id, this.account, tsCreated),
        status: 'rejected',
        tsClosed: tsCreated,
        reason: problem ?? 'rejected',
      };
      this.#book.closedAtOnce(rejected);
      this.#desk.emit(rejected, 'rejected', rejected.reason);
      return rejected;
    }
    let order: Order = { ...orderOf(req, id, this.account, tsCreated), status: 'open' };
    if (order.type === 'trailing_stop') {
      // The best price so far is the last close seen (the bar the signal was raised on), if any.
      const last = this.#portfolio.lastClose(symbolId);
      if (last === last) order = { ...order, stopPrice: trailFrom(order, last) };
    }
    this.#book.add(order, symbolId);
    this.#desk.emit(order, 'accepted');
    return order;
  }

  reject(req: OrderRequest, tsCreated: number, reason: string, rule: string): Order {
    const order: Order = {
      ...orderOf(req, this.#ids.nextOrder++, this.account, tsCreated),
      status: 'rejected',
      tsClosed: tsCreated,
      reason,
      riskRule: rule,
    };
    this.#book.closedAtOnce(order);
    this.#desk.emit(order, 'rejected', reason);
    return order;
  }

  /**
   * Cancels a working order (a bracket entry filled in part gets its exits for that part; the other leg of
   * an OCO pair keeps working). An order that no longer works hears `cancel_rejected` with what became of
   * it, and is returned as it stands; an id this broker never gave returns undefined, with no event.
   */
  cancel(orderId: number, ts: number, reason = 'cancelled by the strategy'): Order | undefined {
    const w = this.#book.working(orderId);
    if (w !== undefined) return this.#desk.close(w, 'cancelled', ts, reason);
    return this.#refuse(orderId, 'cancel_rejected');
  }

  /**
   * Changes a working order's price, trigger or quantity (`replaced`); a change that would leave it unsound
   * is refused (`replace_rejected`, the order unchanged), and so is any change to an order that no longer
   * works. Returns the order as it stands after; undefined for an id this broker never gave.
   */
  replace(orderId: number, changes: OrderChanges, _ts: number): Order | undefined {
    const w = this.#book.working(orderId);
    if (w === undefined) return this.#refuse(orderId, 'replace_rejected');
    const problem = changesProblem(w.order, changes);
    if (problem !== undefined) {
      this.#desk.emit(w.order, 'replace_rejected', problem);
      return w.order;
    }
    const { price, stopPrice, quantity } = changes;
    const order: Order = {
      ...w.order,
      ...(price === undefined ? {} : { price }),
      ...(stopPrice === undefined ? {} : { stopPrice }),
      ...(quantity === undefined ? {} : { quantity }),
    };
    this.#desk.update(w, order, 'replaced');
    return order;
  }

  #refuse(orderId: number, event: 'cancel_rejected' | 'replace_rejected'): Order | undefined {
    const order = this.#book.closed(orderId);
    if (order === undefined) return undefined;
    const when = toIsoUtc(order.tsClosed ?? order.tsCreated).replace('.000Z', 'Z');
    const why = order.reason === undefined ? '' : ` (${order.reason})`;
    this.#desk.emit(order, event, `order ${order.id} was ${order.status} at ${when}${why}`);
    return order;
  }

  /** Cancels the DAY orders: their session closed at `ts`. */
  endSession(ts: number): void {
    for (const w of this.#book.all()) {
      if (w.order.timeInForce === 'DAY')
        this.#desk.close(w, 'cancelled', ts, 'DAY order: its session closed');
    }
  }

  openOrders(strategy?: string): Order[] {
    return this.#book.list(strategy);
  }

  openOrderCountOf(strategy: string): number {
    return this.#book.countOf(strategy);
  }

  /** Returns the latest order a strategy sent under `ref` (working or closed), or undefined. */
  orderByRef(strategy: string, ref: string): Order | undefined {
    const id = this.#book.idOfRef(strategy, ref);
    return id === undefined ? undefined : (this.#book.working(id)?.order ?? this.#book.closed(id));
  }

  onBar(symbolId: number, bar: BarPrices, barIndex: number): void {
    const list = this.#book.of(symbolId);
    if (list === undefined || list.length === 0) return;
    offerBar(this.#pass, list, bar, barIndex);
  }

  cancelAll(ts: number, reason: string): void {
    for (const w of this.#book.all()) this.#desk.close(w, 'cancelled', ts, reason, false);
  }
}

/** The order a request asks for, before its status: a ref of `#<id>` unless it names one; GTC left implicit. */
function orderOf(req: OrderRequest, id: number, account: string, tsCreated: number) {
  return {
    id,
    account,
    strategy: req.strategy,
    symbol: req.symbol,
    side: req.side,
    quantity: req.quantity,
    type: req.type,
    tsCreated,
    ...(req.price === undefined ? {} : { price: req.price }),
    ...(req.signalReason === undefined ? {} : { signalReason: req.signalReason }),
    ref: req.ref ?? `#${id}`,
    ...(req.timeInForce === undefined || req.timeInForce === 'GTC' ? {} : { timeInForce: req.timeInForce }),
    ...(req.stopPrice === undefined ? {} : { stopPrice: req.stopPrice }),
    ...(req.trailAmount === undefined ? {} : { trailAmount: req.trailAmount }),
    ...(req.trailPercent === undefined ? {} : { trailPercent: req.trailPercent }),
    ...(req.bracket === undefined ? {} : { bracket: req.bracket }),
  };
}
