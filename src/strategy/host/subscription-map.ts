// The subscription map: for each series the engine publishes, the strategies subscribed to it, in
// registration order (the order a step notifies them in).
import { seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { Subscription } from '../base-strategy.ts';
import type { StrategyRunner } from './runner.ts';

/** A series the engine publishes, by the integer id strategies are routed by. */
export interface SeriesSlot {
  readonly id: number;
  readonly symbol: string;
  readonly interval: Interval;
}

/** A strategy subscribed to a series. */
export interface Route {
  readonly runner: StrategyRunner;
  /** The subscription's index in the runner's list (what a thread notification names). */
  readonly sub: number;
}

/**
 * Each strategy's subscriptions are set as they change, then the map is rebuilt from all of them at once.
 * Each slot's routes come in two lists, by what delivering does: runners that queue (threads), which are
 * handed the step first, and runners that run at once.
 */
export class SubscriptionMap {
  /** By series slot id: the routes to runners that queue. */
  queued: readonly (readonly Route[])[] = [];
  /** By series slot id: the routes to runners that run when delivered to. */
  immediate: readonly (readonly Route[])[] = [];
  readonly #slotsOf = new Map<StrategyRunner, readonly (SeriesSlot | undefined)[]>();
  readonly #keysOf = new Map<StrategyRunner, ReadonlySet<string>>();

  /** Records a strategy's subscriptions, resolved to series slots (undefined: no such series yet). */
  set(
    runner: StrategyRunner,
    subscriptions: readonly Subscription[],
    slots: readonly (SeriesSlot | undefined)[],
  ): void {
    this.#slotsOf.set(runner, slots);
    this.#keysOf.set(runner, new Set(subscriptions.map(([s, i]) => seriesKey(s, i))));
  }

  /** Returns true when a strategy subscribes to the series `key` (symbol@interval). */
  subscribes(runner: StrategyRunner, key: string): boolean {
    return this.#keysOf.get(runner)?.has(key) ?? false;
  }

  /** Rebuilds the map from the recorded subscriptions of `runners` (in registration order). */
  rebuild(runners: readonly StrategyRunner[], slotCount: number): void {
    const queued: Route[][] = Array.from({ length: slotCount }, () => []);
    const immediate: Route[][] = Array.from({ length: slotCount }, () => []);
    for (const runner of runners) {
      const list = runner.queues ? queued : immediate;
      this.#slotsOf.get(runner)?.forEach((slot, sub) => {
        if (slot && !list[slot.id]!.some((r) => r.runner === runner)) list[slot.id]!.push({ runner, sub });
      });
    }
    this.queued = queued;
    this.immediate = immediate;
  }
}
