// The refs of a run's orders: which order a strategy's ref names in each account, learned from the order
// events the accounts send (so that bracket exits the broker places, and `#<id>` names, are known too).
import type { ExecutionListener } from '../execution/broker.ts';
import type { Order } from '../model/order.ts';

/** The name an order goes by: its ref, or `#<id>` when it was sent without one. */
export const refOf = (order: Order): string => order.ref ?? `#${order.id}`;

/**
 * Maps (account, strategy, ref) to the order the ref first named. It listens to every account's order
 * events; the first order seen with a ref keeps it, so a later order sent under a used ref (rejected as a
 * duplicate) never takes it over.
 */
export class OrderRefs implements ExecutionListener {
  readonly #byAccount = new Map<string, Map<string, Map<string, number>>>();

  onOrder(order: Order): void {
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
    const ref = refOf(order);
    if (!refs.has(ref)) refs.set(ref, order.id);
  }

  /** Returns the id of the order a strategy's ref names in an account, or undefined when it names none. */
  find(account: string, strategy: string, ref: string): number | undefined {
    return this.#byAccount.get(account)?.get(strategy)?.get(ref);
  }
}
