// Runs a strategy on the engine's thread: each notification is a direct call under the hook policy, and
// every call is bounded in time (by the engine's guarded slice of steps, or by a guard of its own).
import type { Logger } from '../../core/logger.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Interval } from '../../model/interval.ts';
import type { Order } from '../../model/order.ts';
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
import { OrderBook } from './order-book.ts';
import type { StrategyEvent } from './order-events.ts';
import type { JoinRequest, Placement, StrategyRunner } from './runner.ts';
import { callOnTick, tickSnapshot } from './tick-call.ts';
import { guarded, runWithin, TimeLimitExceeded } from './watchdog.ts';

/** An inline strategy's time limits, from its entry. */
export interface InlineLimits {
  /** `setup_timeout_ms`: model load and `setup`. */
  readonly setupMs: number;
  /** `step_timeout_ms`: each `onBars`, `onQualityUpdate` and `onSymbolAdded` call. */
  readonly stepMs: number;
  /** `teardown_timeout_ms`. */
  readonly teardownMs: number;
}

const NO_LIMITS: InlineLimits = {
  setupMs: Number.POSITIVE_INFINITY,
  stepMs: Number.POSITIVE_INFINITY,
  teardownMs: Number.POSITIVE_INFINITY,
};

/**
 * The inline call in progress on the engine's thread, if any: when V8 ends a guarded slice of steps at its
 * time limit, this names the strategy (and the hook) that was running, so that it alone is faulted. Set
 * and cleared around every call: a few field writes, no clock reading.
 */
const inCall: { runner: InlineRunner | undefined; hook: string; symbol: string; interval: string } = {
  runner: undefined,
  hook: '',
  symbol: '',
  interval: '',
};

/** An inline call that V8 interrupted at its time limit: the strategy (faulted since) and where it was. */
export interface InterruptedCall {
  readonly runner: InlineRunner;
  readonly hook: string;
  readonly symbol: string;
  readonly interval: string;
}

/**
 * Faults the inline strategy whose call was running when a guarded slice passed `limitMs`; returns that
 * call, or undefined when no strategy code was running (the time went elsewhere).
 */
export function faultInterruptedCall(limitMs: number): InterruptedCall | undefined {
  const { runner, hook, symbol, interval } = inCall;
  inCall.runner = undefined;
  if (runner === undefined) return undefined;
  const args = [symbol, interval].filter((a) => a !== '').join(', ');
  runner.fault(`${hook}(${args}) did not return within ${limitMs} ms (step_timeout_ms); interrupted`);
  return { runner, hook, symbol, interval };
}

const NONE: readonly Signal[] = Object.freeze([]);

/** What an inline runner is made of. */
export interface InlineRunnerOptions {
  readonly strategy: BaseStrategy;
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  readonly log: Logger;
  /** Its time limits (none when not given). */
  readonly limits?: InlineLimits;
  /** Called once if the strategy is faulted (a call past its time limit). */
  readonly onFault?: (runner: InlineRunner) => void;
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
  /** The strategy's working orders as its delivered events left them (what `ctx.openOrders` reads). */
  readonly book = new OrderBook();
  readonly #metricsBuffer = new Float64Array(METRICS_SLOTS);
  readonly #hooks: HookCaller;
  #subs: readonly Subscription[];
  #ctx: StrategyContext | undefined;
  #degraded: string | undefined;
  readonly #limits: InlineLimits;
  readonly #log: Logger;
  readonly #onFault: ((runner: InlineRunner) => void) | undefined;

  constructor(o: InlineRunnerOptions) {
    this.strategy = o.strategy;
    this.name = o.strategy.name;
    this.index = o.index;
    this.kind = o.kind;
    this.placement = o.placement;
    this.lifecycle = new Lifecycle(this.name);
    this.#hooks = new HookCaller(o.strategy, o.log, new MetricsWriter(this.#metricsBuffer));
    this.#subs = o.strategy.getSubscriptions();
    this.#limits = o.limits ?? NO_LIMITS;
    this.#log = o.log;
    this.#onFault = o.onFault;
  }

  /** Returns the strategy's time limits. */
  get limits(): InlineLimits {
    return this.#limits;
  }

  /** Marks the strategy faulted with why (a call past its limit); it gets no further calls, nor teardown. */
  fault(reason: string): void {
    if (!this.lifecycle.can('faulted')) return;
    this.lifecycle.to('faulted', reason);
    this.#log.error(`strategy ${this.name}: ${reason}; the run goes on without it`);
    this.#onFault?.(this);
  }

  /**
   * Runs `call` as the inline call in progress (`hook` on symbol@interval). Inside the engine's guarded
   * slice the slice's limit holds; anywhere else the call gets a guard of its own (`step_timeout_ms`), and
   * past it the strategy is faulted and `fallback` returned.
   */
  #bounded<T>(hook: string, symbol: string, interval: string, call: () => T, fallback: T): T {
    inCall.runner = this;
    inCall.hook = hook;
    inCall.symbol = symbol;
    inCall.interval = interval;
    if (guarded()) {
      const out = call();
      inCall.runner = undefined;
      return out;
    }
    try {
      return runWithin(call, this.#limits.stepMs);
    } catch (e) {
      if (!(e instanceof TimeLimitExceeded)) throw e;
      faultInterruptedCall(e.limitMs);
      return fallback;
    } finally {
      inCall.runner = undefined;
    }
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
    const outcome = await this.#hooks.start(ctx, this.#limits.setupMs);
    if (outcome.ok) {
      this.#degraded = outcome.degraded;
      this.lifecycle.to('running');
    } else this.lifecycle.to('stopped', outcome.reason);
    return outcome.ok ? { ok: true } : outcome;
  }

  deliver(_sub: number, symbol: string, interval: Interval): readonly Signal[] {
    if (!guarded())
      return this.#bounded('onBars', symbol, interval, () => this.#onBars(symbol, interval), NONE);
    inCall.runner = this;
    inCall.hook = 'onBars';
    inCall.symbol = symbol;
    inCall.interval = interval;
    const out = this.#hooks.onBars(symbol, interval);
    inCall.runner = undefined;
    return out;
  }

  #onBars(symbol: string, interval: Interval): readonly Signal[] {
    return this.#hooks.onBars(symbol, interval);
  }

  deliverEvents(events: readonly StrategyEvent[]): void {
    this.#bounded('onOrder', '', '', () => this.#hooks.onEvents(events, this.book), undefined);
  }

  seedOrders(orders: readonly Order[]): void {
    this.book.seed(orders);
  }

  deliverTick(ts: number): readonly Signal[] {
    const ctx = this.#ctx!;
    const out: Signal[] = [];
    const call = () => {
      const snapshot = tickSnapshot(ts, this.#subs, (symbol, interval) => ctx.bars(symbol, interval));
      callOnTick(this.strategy, snapshot, out, {
        log: this.#log,
        metrics: new MetricsWriter(this.#metricsBuffer),
      });
      return out;
    };
    return this.#bounded('onTick', '', '', call, NONE);
  }

  deliverQuality(_sub: number, symbol: string, interval: Interval, quality: number): void {
    this.#bounded(
      'onQualityUpdate',
      symbol,
      interval,
      () => this.#hooks.onQualityUpdate(symbol, interval, quality),
      undefined,
    );
  }

  restate(joined?: JoinRequest): Promise<readonly Subscription[] | string> {
    const symbol = joined?.symbol;
    const stated = this.#bounded(
      symbol === undefined ? 'getSubscriptions' : 'onSymbolAdded',
      symbol ?? '',
      '',
      () => this.#hooks.restate(symbol),
      undefined,
    );
    return Promise.resolve(stated ?? this.lifecycle.reason ?? 'faulted');
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
    const late = await this.#hooks.teardown(this.#ctx, this.#limits.teardownMs);
    if (late === undefined) this.lifecycle.to('stopped');
    else this.fault(late);
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
