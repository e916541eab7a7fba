// The host's order events: an execution listener that queues, per strategy, the updates of its orders and
// its fills from every account it routes to, in the order they happen, until the next step delivers them.
import type { Fill, Order, OrderEvent, OrderUpdate } from '../../model/order.ts';
import type { StrategyRunner } from './runner.ts';

/** One event a strategy hears of: an update of one of its orders (`onOrder`) or a fill (`onFill`). */
export type StrategyEvent =
  { readonly type: 'order'; readonly update: OrderUpdate } | { readonly type: 'fill'; readonly fill: Fill };

/**
 * Queues each started strategy's order updates and fills as the brokers report them; the strategy manager
 * takes a strategy's queue at the next step (before that step's `onBars`). A strategy that is not tracked
 * (not started) hears of nothing.
 */
export class OrderEventQueue {
  readonly #queues = new Map<string, StrategyEvent[]>();
  /** Events queued and not yet taken, over all strategies: 0 keeps the per-step check to one comparison. */
  #pending = 0;

  /** Queues the events of a started strategy from now on. */
  track(strategy: string): void {
    if (!this.#queues.has(strategy)) this.#queues.set(strategy, []);
  }

  /** Returns the number of events waiting, over all strategies. */
  get pending(): number {
    return this.#pending;
  }

  onOrder(order: Order, event: OrderEvent, reason?: string): void {
    const queue = this.#queues.get(order.strategy);
    if (queue === undefined) return;
    queue.push({
      type: 'order',
      update: reason === undefined ? { event, order } : { event, order, reason },
    });
    this.#pending++;
  }

  onFill(fill: Fill): void {
    const queue = this.#queues.get(fill.strategy);
    if (queue === undefined) return;
    queue.push({ type: 'fill', fill });
    this.#pending++;
  }

  /** Returns a strategy's queued events, oldest first, and empties its queue (none: the shared empty list). */
  take(strategy: string): readonly StrategyEvent[] {
    const queue = this.#queues.get(strategy);
    if (queue === undefined || queue.length === 0) return NO_EVENTS;
    this.#queues.set(strategy, []);
    this.#pending -= queue.length;
    return queue;
  }
}

/** The shared empty list of events. */
export const NO_EVENTS: readonly StrategyEvent[] = Object.freeze([]);

/**
 * Hands each running strategy of `runners` that queues (`queues`: threads) or runs at once its queued
 * order events, in registration order, whether or not it has a bar in the step. A paused strategy keeps
 * its events until it runs again; a faulted or stopped one loses them.
 */
export function deliverOrderEvents(
  runners: readonly StrategyRunner[],
  events: OrderEventQueue,
  queues: boolean,
): void {
  for (const runner of runners) {
    if (runner.queues !== queues) continue;
    const state = runner.lifecycle.state;
    if (state === 'paused') continue;
    const list = events.take(runner.name);
    if (list.length > 0 && state === 'running') runner.deliverEvents(list);
  }
}
