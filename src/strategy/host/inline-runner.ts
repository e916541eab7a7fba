// Runs a strategy on the engine's thread: each notification is a direct call under the hook policy.
import type { Logger } from '../../core/logger.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import type { BaseStrategy, StrategyContext, Subscription } from '../base-strategy.ts';
import type { StrategyKind } from '../registry.ts';
import { HookCaller, type SetupOutcome } from './hooks.ts';
import { Lifecycle } from './lifecycle.ts';
import {
  METRICS_SLOTS,
  MetricsWriter,
  type ProcessingHistogram,
  type ProcessingMetrics,
  readHistogram,
  readMetrics,
} from './metrics.ts';
import type { JoinRequest, Placement, StrategyRunner } from './runner.ts';

/** What an inline runner is made of. */
export interface InlineRunnerOptions {
  readonly strategy: BaseStrategy;
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  readonly log: Logger;
}

/** Runs a strategy on the caller's thread. */
export class InlineRunner implements StrategyRunner {
  readonly name: string;
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  readonly lifecycle: Lifecycle;
  readonly queues = false;
  readonly queued = 0;
  /** The strategy instance, on this thread (inspection and tests). */
  readonly strategy: BaseStrategy;
  readonly #metricsBuffer = new Float64Array(METRICS_SLOTS);
  readonly #hooks: HookCaller;
  #subs: readonly Subscription[];
  #ctx: StrategyContext | undefined;
  #degraded: string | undefined;

  constructor(o: InlineRunnerOptions) {
    this.strategy = o.strategy;
    this.name = o.strategy.name;
    this.index = o.index;
    this.kind = o.kind;
    this.placement = o.placement;
    this.lifecycle = new Lifecycle(this.name);
    this.#hooks = new HookCaller(o.strategy, o.log, new MetricsWriter(this.#metricsBuffer));
    this.#subs = o.strategy.getSubscriptions();
  }

  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  get degraded(): string | undefined {
    return this.#degraded;
  }

  async start(ctx: StrategyContext): Promise<SetupOutcome> {
    this.lifecycle.to('starting');
    this.#ctx = ctx;
    const outcome = await this.#hooks.start(ctx);
    if (outcome.ok) {
      this.#degraded = outcome.degraded;
      this.lifecycle.to('running');
    } else this.lifecycle.to('stopped', outcome.reason);
    return outcome.ok ? { ok: true } : outcome;
  }

  deliver(_sub: number, symbol: string, interval: Interval): readonly Signal[] {
    return this.#hooks.onBars(symbol, interval);
  }

  deliverQuality(_sub: number, symbol: string, interval: Interval, quality: number): void {
    this.#hooks.onQualityUpdate(symbol, interval, quality);
  }

  restate(joined?: JoinRequest): Promise<readonly Subscription[] | string> {
    return Promise.resolve(this.#hooks.restate(joined?.symbol));
  }

  use(subscriptions: readonly Subscription[], _newSeries: readonly SeriesDescriptor[]): Promise<undefined> {
    this.#subs = subscriptions;
    return Promise.resolve(undefined);
  }

  /** Nothing to mirror: the context reads the account directly. */
  setPosition(): void {}

  /** Nothing to grow: the context reads the account directly. */
  addSymbols(): void {}

  async stop(): Promise<void> {
    if (!this.lifecycle.can('stopping') || this.#ctx === undefined) return;
    this.lifecycle.to('stopping');
    await this.#hooks.teardown(this.#ctx);
    this.lifecycle.to('stopped');
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  metrics(): ProcessingMetrics {
    return readMetrics(this.#metricsBuffer);
  }

  histogram(): ProcessingHistogram {
    return readHistogram(this.#metricsBuffer);
  }
}
