import type { InlineRunner } from './inline-runner.ts';
import type { Subscription } from '../base-strategy.ts';
import type { ThreadRunner } from './thread-runner.ts';
import { seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';

/** A series the engine publishes, by the integer id strategies are routed by. */
export interface SeriesSlot {
  readonly id: number;
  readonly symbol: string;
  readonly interval: Interval;
}

/** A started strategy: on the processor's thread or in its own. */
export type Runner = InlineRunner | ThreadRunner;

/** A strategy subscribed to a series. */
export interface Route {
  readonly runner: Runner;
  /** The subscription's index in the runner's list (what a thread notification names). */
  readonly sub: number;
}

/**
 * The subscription map: for each series slot, the strategies subscribed to it, in registration order
 * (the order a step notifies them in). Each strategy's subscriptions are set as they change, then the map
 * is rebuilt from all of them at once.
 */
export class SubscriptionMap {
  /** By series slot id. */
  routes: readonly (readonly Route[])[] = [];
  /** The inline strategies of each slot, for the loop that runs per bar. */
  inline: readonly (readonly InlineRunner[])[] = [];
  readonly #slotsOf = new Map<Runner, readonly (SeriesSlot | undefined)[]>();
  readonly #keysOf = new Map<Runner, ReadonlySet<string>>();

  /** Records a strategy's subscriptions, resolved to series slots (undefined: no such series yet). */
  set(
    runner: Runner,
    subscriptions: readonly Subscription[],
    slots: readonly (SeriesSlot | undefined)[],
  ): void {
    this.#slotsOf.set(runner, slots);
    this.#keysOf.set(runner, new Set(subscriptions.map(([s, i]) => seriesKey(s, i))));
  }

  /** Returns true when a strategy subscribes to the series `key` (symbol@interval). */
  subscribes(runner: Runner, key: string): boolean {
    return this.#keysOf.get(runner)?.has(key) ?? false;
  }

  /** Rebuilds the map from the recorded subscriptions of `runners` (in registration order). */
  rebuild(runners: readonly Runner[], slotCount: number, isInline: (r: Runner) => r is InlineRunner): void {
    const routes: Route[][] = Array.from({ length: slotCount }, () => []);
    const inline: InlineRunner[][] = Array.from({ length: slotCount }, () => []);
    for (const runner of runners) {
      this.#slotsOf.get(runner)?.forEach((slot, sub) => {
        if (slot && !routes[slot.id]!.some((r) => r.runner === runner)) {
          routes[slot.id]!.push({ runner, sub });
          if (isInline(runner)) inline[slot.id]!.push(runner);
        }
      });
    }
    this.routes = routes;
    this.inline = inline;
  }
}
