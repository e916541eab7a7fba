// The paper broker: fills a strategy's orders against later bars (market at the next open, limit and stop
// when a bar trades through), with commission and slippage models.
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { Fill, Order, OrderEvent, OrderStatus } from '../model/order.ts';
import type { BarPrices, Broker, ExecutionListener, OrderChanges, OrderRequest } from './broker.ts';
import type { CommissionModel, SlippageModel } from './costs.ts';
import { ExecutionIds } from './execution-ids.ts';
import type { Portfolio } from './portfolio.ts';

interface Working {
  readonly order: Order;
  readonly symbolId: number;
}

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
}

/**
 * A simulated venue. A market order raised on bar t's close fills at bar t+1's open (no look-ahead);
 * limit and stop orders fill when a later bar trades through their price, at that price or at the open
 * when the bar gaps through it. Orders that cannot be filled are rejected with a reason, never dropped.
 */
export class PaperBroker implements Broker {
  readonly #o: PaperBrokerOptions;
  readonly #symbolIds: Map<string, number>;
  readonly #working: Working[][];
  readonly #ids: ExecutionIds;
  /** The account this broker fills for. */
  readonly account: string;
  #openCount = 0;

  constructor(options: PaperBrokerOptions) {
    this.#o = options;
    this.account = options.account ?? DEFAULT_ACCOUNT;
    this.#ids = options.ids ?? new ExecutionIds();
    this.#symbolIds = new Map(options.symbols.map((s, i) => [s, i]));
    this.#working = options.symbols.map(() => []);
  }

  /** Accepts orders for a symbol that joined the session; its id is the next one, as in the portfolio. */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#working.length);
    this.#working.push([]);
  }

  get openOrderCount(): number {
    return this.#openCount;
  }

  /**
   * Takes back working orders a resumed live run had stored as open (with their ids), without telling the
   * listeners: they were recorded when they were placed.
   */
  restoreWorking(orders: readonly Order[]): void {
    for (const order of orders) {
      const symbolId = this.#symbolIds.get(order.symbol);
      if (order.status !== 'open' || order.account !== this.account || symbolId === undefined) continue;
      this.#working[symbolId]!.push({ order, symbolId });
      this.#openCount++;
    }
  }

  submit(req: OrderRequest, tsCreated: number): Order {
    const base = {
      id: this.#ids.nextOrder++,
      account: this.account,
      strategy: req.strategy,
      symbol: req.symbol,
      side: req.side,
      quantity: req.quantity,
      type: req.type,
      tsCreated,
      ...(req.price === undefined ? {} : { price: req.price }),
      ...(req.signalReason === undefined ? {} : { signalReason: req.signalReason }),
      ...(req.ref === undefined ? {} : { ref: req.ref }),
      ...(req.timeInForce === undefined ? {} : { timeInForce: req.timeInForce }),
    };
    const symbolId = this.#symbolIds.get(req.symbol);
    const problem =
      symbolId === undefined
        ? `unknown symbol ${req.symbol}: no data source provides it`
        : !(Number.isFinite(req.quantity) && req.quantity > 0)
          ? `quantity must be a positive number (got ${req.quantity})`
          : req.type !== 'market' && !(Number.isFinite(req.price) && (req.price as number) > 0)
            ? `a ${req.type} order needs a positive price (got ${req.price ?? 'none'})`
            : undefined;
    if (problem !== undefined || symbolId === undefined) {
      const rejected: Order = {
        ...base,
        status: 'rejected',
        tsClosed: tsCreated,
        reason: problem ?? 'rejected',
      };
      this.#order(rejected, 'rejected', rejected.reason);
      return rejected;
    }
    const order: Order = { ...base, status: 'open' };
    this.#working[symbolId]!.push({ order, symbolId });
    this.#openCount++;
    this.#order(order, 'accepted');
    return order;
  }

  reject(req: OrderRequest, tsCreated: number, reason: string, rule: string): Order {
    const order: Order = {
      id: this.#ids.nextOrder++,
      account: this.account,
      strategy: req.strategy,
      symbol: req.symbol,
      side: req.side,
      quantity: req.quantity,
      type: req.type,
      tsCreated,
      status: 'rejected',
      tsClosed: tsCreated,
      reason,
      riskRule: rule,
      ...(req.price === undefined ? {} : { price: req.price }),
      ...(req.signalReason === undefined ? {} : { signalReason: req.signalReason }),
      ...(req.ref === undefined ? {} : { ref: req.ref }),
    };
    this.#order(order, 'rejected', reason);
    return order;
  }

  cancel(orderId: number, ts: number, reason = 'cancelled by the strategy'): Order | undefined {
    const w = this.#find(orderId);
    if (w === undefined) return undefined;
    this.#remove(w);
    this.#close(w.order, 'cancelled', ts, reason);
    return { ...w.order, status: 'cancelled', tsClosed: ts, reason };
  }

  replace(orderId: number, changes: OrderChanges, _ts: number): Order | undefined {
    const w = this.#find(orderId);
    if (w === undefined) return undefined;
    const order: Order = {
      ...w.order,
      ...(changes.price === undefined ? {} : { price: changes.price }),
      ...(changes.quantity === undefined ? {} : { quantity: changes.quantity }),
    };
    const list = this.#working[w.symbolId]!;
    list[list.indexOf(w)] = { order, symbolId: w.symbolId };
    this.#order(order, 'replaced');
    return order;
  }

  endSession(ts: number): void {
    for (const list of this.#working) {
      for (const w of [...list]) {
        if (w.order.timeInForce !== 'DAY') continue;
        this.#remove(w);
        this.#close(w.order, 'cancelled', ts, 'DAY order: its session closed');
      }
    }
  }

  openOrders(strategy?: string): Order[] {
    const all = this.#working.flatMap((list) => list.map((w) => w.order));
    return (strategy === undefined ? all : all.filter((o) => o.strategy === strategy)).sort(
      (a, b) => a.id - b.id,
    );
  }

  #find(orderId: number): Working | undefined {
    for (const list of this.#working) for (const w of list) if (w.order.id === orderId) return w;
    return undefined;
  }

  #remove(w: Working): void {
    const list = this.#working[w.symbolId]!;
    list.splice(list.indexOf(w), 1);
  }

  onBar(symbolId: number, bar: BarPrices, barIndex: number): void {
    const list = this.#working[symbolId];
    if (list === undefined || list.length === 0) return;
    const keep: Working[] = [];
    for (const w of list) {
      const price = fillPrice(w.order, bar.open, bar.high, bar.low);
      if (price === undefined) keep.push(w);
      else this.#execute(w, price, bar.ts, barIndex);
    }
    this.#working[symbolId] = keep;
  }

  cancelAll(ts: number, reason: string): void {
    for (const [i, list] of this.#working.entries()) {
      for (const w of list) this.#close(w.order, 'cancelled', ts, reason);
      this.#working[i] = [];
    }
  }

  #execute(w: Working, rawPrice: number, ts: number, barIndex: number): void {
    const { order } = w;
    const { portfolio, slippage, commission } = this.#o;
    const price = order.type === 'limit' ? rawPrice : slippage.apply(order.side, rawPrice);
    const fee = commission.commission(order.quantity, price);
    const held = portfolio.position(order.strategy, order.symbol);
    if (order.side === 'buy') {
      const cost = order.quantity * price + fee;
      // Covering a short releases cash only up to what was shorted, so check the whole cost against cash.
      if (cost > portfolio.cash + 1e-9) {
        return this.#close(
          order,
          'rejected',
          ts,
          `insufficient cash: needs ${round2(cost)}, has ${round2(portfolio.cash)}`,
        );
      }
    } else if (!this.#o.allowShort && order.quantity > held + 1e-12) {
      return this.#close(
        order,
        'rejected',
        ts,
        `selling ${order.quantity} with ${held} held would open a short position; set ${this.account === DEFAULT_ACCOUNT ? 'broker.allow_short' : `allow_short of account "${this.account}"`} to allow it`,
      );
    }
    const fill: Fill = {
      id: this.#ids.nextFill++,
      orderId: order.id,
      account: this.account,
      strategy: order.strategy,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
      price,
      commission: fee,
      ts,
    };
    this.#close(order, 'filled', ts);
    // The portfolio first, so that a listener hearing of the fill sees the position it leaves.
    const trade = portfolio.applyFill(fill, w.symbolId, barIndex);
    const position = portfolio.position(fill.strategy, fill.symbol);
    for (const l of this.#o.listeners) l.onFill?.(fill, position);
    if (trade) for (const l of this.#o.listeners) l.onTrade?.(trade);
  }

  #close(order: Order, status: Exclude<OrderStatus, 'open'>, ts: number, reason?: string): void {
    this.#openCount--;
    const closed: Order = {
      ...order,
      status,
      tsClosed: ts,
      ...(reason === undefined ? {} : { reason }),
    };
    this.#order(closed, status, reason);
  }

  #order(order: Order, event: OrderEvent, reason?: string): void {
    for (const l of this.#o.listeners) l.onOrder?.(order, event, reason);
  }
}

/** Returns the price at which an order fills on a bar, or undefined when the bar does not reach it. */
export function fillPrice(order: Order, open: number, high: number, low: number): number | undefined {
  const p = order.price as number;
  switch (order.type) {
    case 'market':
      return open;
    case 'limit':
      if (order.side === 'buy') return open <= p ? open : low <= p ? p : undefined;
      return open >= p ? open : high >= p ? p : undefined;
    case 'stop':
      if (order.side === 'buy') return open >= p ? open : high >= p ? p : undefined;
      return open <= p ? open : low <= p ? p : undefined;
    case 'stop_limit':
    case 'trailing_stop':
      return undefined;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
