// The paper broker's book: its working orders per symbol in id order, and the closed ones it remembers, so
// that a late cancel or replace is refused with what became of the order, and a ref finds its order.
import type { Order } from '../model/order.ts';

/** A working order and what the broker keeps beside it while it works. */
export interface Working {
  /** The order as last published (a new value on every change; never mutated). */
  order: Order;
  readonly symbolId: number;
  /** Sum of quantity x price over its fills, so the average fill price is exact over partial fills. */
  notional: number;
  /** IOC and FOK: not yet offered a bar (they act on their first one only). */
  fresh: boolean;
  /** Set when it stops working, so a pass over a snapshot of the book skips it. */
  done: boolean;
}

/** Working orders by symbol id (each list in id order), and the orders that closed, by id and by ref. */
export class OrderBook {
  readonly #working: Working[][];
  // By id: ids count up from 1 in a run, so an array needs no hashing.
  readonly #closed: Order[] = [];
  // strategy -> ref -> order id: the latest order a strategy sent under a ref of its own (`#<id>` refs name
  // their id and need no entry).
  readonly #refs = new Map<string, Map<string, number>>();
  #count = 0;

  constructor(symbolCount: number) {
    this.#working = Array.from({ length: symbolCount }, () => []);
  }

  /** Returns the number of working orders. */
  get count(): number {
    return this.#count;
  }

  /** Makes room for a symbol that joined the session (the next id). */
  addSymbol(): void {
    this.#working.push([]);
  }

  /** Returns the working orders of a symbol, in id order (the live list: copy it before changing the book). */
  of(symbolId: number): readonly Working[] | undefined {
    return this.#working[symbolId];
  }

  /** Adds a working order, keeping its symbol's list in id order. */
  add(order: Order, symbolId: number): Working {
    const w: Working = {
      order,
      symbolId,
      notional: (order.avgFillPrice ?? 0) * (order.filledQuantity ?? 0),
      fresh: true,
      done: false,
    };
    const list = this.#working[symbolId]!;
    list.push(w);
    // Restored orders may come in any order; new ones always carry the highest id.
    if (list.length > 1 && list[list.length - 2]!.order.id > order.id)
      list.sort((a, b) => a.order.id - b.order.id);
    this.#count++;
    this.#remember(order);
    return w;
  }

  /** Takes a working order off the book and remembers it as it closed. */
  close(w: Working, closed: Order): void {
    const list = this.#working[w.symbolId]!;
    list.splice(list.indexOf(w), 1);
    w.done = true;
    w.order = closed;
    this.#count--;
    this.#closed[closed.id] = closed;
  }

  /** Remembers an order that never worked (rejected at submit or by a risk rule). */
  closedAtOnce(order: Order): void {
    this.#closed[order.id] = order;
    this.#remember(order);
  }

  /** Returns the working order with this id. */
  working(orderId: number): Working | undefined {
    for (const list of this.#working) for (const w of list) if (w.order.id === orderId) return w;
    return undefined;
  }

  /** Returns a closed order by id, as it closed. */
  closed(orderId: number): Order | undefined {
    return this.#closed[orderId];
  }

  /** Returns the id of the latest order a strategy sent under `ref`. */
  idOfRef(strategy: string, ref: string): number | undefined {
    if (!ref.startsWith('#')) return this.#refs.get(strategy)?.get(ref);
    const id = Number(ref.slice(1));
    const order = this.working(id)?.order ?? this.closed(id);
    return order !== undefined && order.strategy === strategy && order.ref === ref ? id : undefined;
  }

  /** Returns the number of one strategy's working orders. */
  countOf(strategy: string): number {
    let n = 0;
    for (const list of this.#working) for (const w of list) if (w.order.strategy === strategy) n++;
    return n;
  }

  /** Returns every working order (of one strategy when named), in id order. */
  list(strategy?: string): Order[] {
    const out: Order[] = [];
    for (const list of this.#working) {
      for (const w of list) if (strategy === undefined || w.order.strategy === strategy) out.push(w.order);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Returns every working order record, in id order (a copy: the book may change while it is walked). */
  all(): Working[] {
    return this.#working.flat().sort((a, b) => a.order.id - b.order.id);
  }

  #remember(order: Order): void {
    if (order.ref === undefined || order.ref.startsWith('#')) return;
    let byRef = this.#refs.get(order.strategy);
    if (byRef === undefined) {
      byRef = new Map();
      this.#refs.set(order.strategy, byRef);
    }
    byRef.set(order.ref, order.id);
  }
}
