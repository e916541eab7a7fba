// A strategy's own book of its working orders, built from the order updates it is delivered, so that a
// strategy reads the same book inline and in a thread (`ctx.openOrders`).
import type { Order, OrderUpdate } from '../../model/order.ts';

const EMPTY: readonly Order[] = Object.freeze([]);

/**
 * The working orders of one strategy as its delivered updates left them: an order enters on `accepted`,
 * is updated on `replaced`, `partially_filled` and `triggered`, and leaves on `filled`, `cancelled` and
 * `rejected`; a refused cancel or replace leaves it as it was.
 */
export class OrderBook {
  readonly #working = new Map<number, Order>();
  /** The working orders in id order, made again only after a change (readers call this often). */
  #list: readonly Order[] = EMPTY;
  #stale = false;

  /** Applies one update of the strategy's orders. */
  apply(update: OrderUpdate): void {
    const { order } = update;
    switch (update.event) {
      case 'accepted':
      case 'replaced':
      case 'partially_filled':
      case 'triggered':
        this.#working.set(order.id, order);
        break;
      case 'filled':
      case 'cancelled':
      case 'rejected':
        if (!this.#working.delete(order.id)) return;
        break;
      case 'cancel_rejected':
      case 'replace_rejected':
        return;
    }
    this.#stale = true;
  }

  /** Puts in the orders still working after a resume, with no events (they were delivered before). */
  seed(orders: readonly Order[]): void {
    for (const o of orders) if (o.status === 'open') this.#working.set(o.id, o);
    this.#stale = true;
  }

  /** Returns the working orders in id order (the same array until the book changes). */
  orders(): readonly Order[] {
    if (this.#stale) {
      this.#stale = false;
      this.#list =
        this.#working.size === 0
          ? EMPTY
          : Object.freeze([...this.#working.values()].sort((a, b) => a.id - b.id));
    }
    return this.#list;
  }
}
