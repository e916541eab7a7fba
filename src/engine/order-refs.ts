// The refs of a run's orders: which order a strategy's ref names in each account, learned from the order
// events the accounts send (so that bracket exits the broker places, and `#<id>` names, are known too).
import type { ExecutionListener } from '../execution/broker.ts';
import type { Order, OrderEvent } from '../model/order.ts';

/** The name an order goes by: its ref, or `#<id>` when it was sent without one. */
export const refOf = (order: Order): string => order.ref ?? `#${order.id}`;

/**
 * Maps (account, strategy, ref) to the order the ref first named. It listens to every account's order
 * events; the first order seen with a ref keeps it, so a later order sent under a used ref (rejected as a
 * duplicate) never takes it over.
 */
export class OrderRefs implements ExecutionListener {
  readonly #byAccount = new Map<string, Map<string, Map<string, number>>>();
  /**
   * The strategy of each order by id, per account: a `#<id>` name needs no entry of its own (most orders go
   * by one), only this check that the order is the strategy's.
   */
  readonly #owners = new Map<string, string[]>();

  onOrder(order: Order, event: OrderEvent): void {
    // An order's name is known from its first event (accepted, or rejected at once); later ones repeat it.
    if (event !== 'accepted' && event !== 'rejected') return;
    let owners = this.#owners.get(order.account);
    if (!owners) {
      owners = [];
      this.#owners.set(order.account, owners);
    }
    owners[order.id] = order.strategy;
    const ref = order.ref;
    if (ref === undefined || ref === `#${order.id}`) return;
    let byStrategy = this.#byAccount.get(order.account);
    if (!byStrategy) {
      byStrategy = new Map();
      this.#byAccount.set(order.account, byStrategy);
    }
    let refs = byStrategy.get(order.strategy);
    if (!refs) {
      refs = new Map();
      byStrategy.set(order.strategy, refs);
    }
    if (!refs.has(ref)) refs.set(ref, order.id);
  }

  /** Returns the id of the order that `ref` names for a strategy in an account, or undefined. */
  find(account: string, strategy: string, ref: string): number | undefined {
    const named = this.#byAccount.get(account)?.get(strategy)?.get(ref);
    if (named !== undefined || !ref.startsWith('#')) return named;
    const id = Number(ref.slice(1));
    return Number.isInteger(id) && this.#owners.get(account)?.[id] === strategy ? id : undefined;
  }
}
