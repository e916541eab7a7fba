// The one interface of a started strategy, whichever thread it runs on: the strategy manager talks to
// every runner through it and never asks which kind it holds.
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Interval } from '../../model/interval.ts';
import type { Order } from '../../model/order.ts';
import type { Signal } from '../../model/signal.ts';
import type { StrategyContext, Subscription } from '../base-strategy.ts';
import type { StrategyKind } from '../registry.ts';
import type { SetupOutcome } from './hooks.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { ProcessingHistogram, ProcessingMetrics } from './metrics.ts';
import type { StrategyEvent } from './order-events.ts';
import type { ControlRequest } from './protocol.ts';

export type { SetupOutcome } from './hooks.ts';

/** Where a strategy runs: on the engine's thread, or in its own worker thread. */
export type Isolation = 'inline' | 'thread';

/** Where a strategy runs and why (its entry said so, or the `auto` warm-up decided). */
export interface Placement {
  readonly isolation: Isolation;
  readonly reason: string;
}

/** A symbol that joined the session, as a runner is told of it. */
export type JoinRequest = ControlRequest & { readonly op: 'join' };

/** A started (or starting) strategy. */
export interface StrategyRunner {
  readonly name: string;
  /** Position in the session's strategy list: signals of a step are gathered in this order. */
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  readonly lifecycle: Lifecycle;
  /**
   * True when `deliver` only queues a notification and the signals come later (a thread): the manager
   * hands these their step first, so that they work while the others run.
   */
  readonly queues: boolean;
  /** Why the strategy runs without its model, or undefined when it has it (or needs none). */
  readonly degraded: string | undefined;
  /** Notifications waiting to be handled now. */
  readonly queued: number;
  /** Returns the subscriptions the engine routes to the strategy, in the order notifications name them. */
  subscriptions(): readonly Subscription[];
  /** Runs the strategy's start (model, setup); the lifecycle ends `running`, or `stopped`/`faulted` with why. */
  start(ctx: StrategyContext): Promise<SetupOutcome>;
  /** Delivers a bar of subscription `sub`; returns the signals raised now (none when they come later). */
  deliver(sub: number, symbol: string, interval: Interval): readonly Signal[];
  /**
   * Delivers the strategy's order events of this step (updates and fills, oldest first), before its bars:
   * inline at once, to a thread ahead of the bars queued after them.
   */
  deliverEvents(events: readonly StrategyEvent[]): void;
  /** Puts a resumed run's working orders into the strategy's book without events (before its first step). */
  seedOrders(orders: readonly Order[]): void;
  /** Delivers a tick at `ts` (`onTick`); returns the signals raised now (none when they come later). */
  deliverTick(ts: number): readonly Signal[];
  /** Delivers a subscription's bar quality (0-100), read as of the engine's clock. */
  deliverQuality(sub: number, symbol: string, interval: Interval, quality: number): void;
  /** Tells the strategy a symbol joined (when given); returns the subscriptions it states now, or why not. */
  restate(joined?: JoinRequest): Promise<readonly Subscription[] | string>;
  /** Routes `subscriptions` to the strategy from now on (`newSeries`: series it has not seen); returns why not, if it failed. */
  use(
    subscriptions: readonly Subscription[],
    newSeries: readonly SeriesDescriptor[],
  ): Promise<string | undefined>;
  /** Mirrors the strategy's position in a symbol after a fill in its first account. */
  setPosition(symbolId: number, quantity: number): void;
  /** Makes room for the state of symbols that joined (`symbols` ids in all). */
  addSymbols(symbols: number): void;
  /**
   * Runs teardown within its `teardown_timeout_ms` or `timeoutMs` when given (a thread first finishes its
   * queue, and is ended by force at the limit); a strategy past the limit ends faulted.
   */
  stop(timeoutMs?: number): Promise<void>;
  /** Releases what a strategy that did not start still holds (its thread ending). */
  release(): Promise<void>;
  metrics(): ProcessingMetrics;
  histogram(): ProcessingHistogram;
}
