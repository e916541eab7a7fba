import { availableParallelism } from 'node:os';
import type { CalendarSpec, StrategyEntry } from '../../config/session-config.ts';
import type { Logger } from '../../core/logger.ts';
import { strategyKind } from '../kind.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Signal } from '../../model/signal.ts';
import type { StrategyContext, Subscription } from '../base-strategy.ts';
import type { LoadedStrategy } from '../loader.ts';
import type { ProcessingMetrics } from './metrics.ts';
import { InlineRunner } from './inline-runner.ts';
import { Kind, spinFor } from './channel.ts';
import type { StrategyKind } from '../registry.ts';
import type { ControlRequest } from './protocol.ts';
import { ThreadRunner } from './thread-runner.ts';
import { BackpressureMonitor } from './backpressure.ts';
import { type Runner, type SeriesSlot, SubscriptionMap } from './subscription-map.ts';
import { type SyncMode, ThreadSync, WAIT_SLICE_MS } from './thread-sync.ts';

export type { SyncMode } from './thread-sync.ts';
export type { Runner } from './subscription-map.ts';

/** A strategy that was loaded but did not start, and why. */
export interface StrategyFailure {
  readonly name: string;
  readonly index: number;
  readonly reason: string;
}

/** A strategy's state and figures, as `engine.getMetrics()` reports them. */
export interface StrategyMetrics extends ProcessingMetrics {
  readonly name: string;
  /** `rules`, `ml` (it has the ML capability) or `hybrid`, from the instance the engine loaded. */
  readonly kind: StrategyKind;
  readonly isolation: 'inline' | 'thread';
  readonly status: 'running' | 'paused' | 'faulted';
  readonly faultReason?: string;
  /** Why the strategy runs on its rules without its model, when it does. */
  readonly degraded?: string;
  readonly subscriptions: number;
  /** Notifications waiting in the strategy's queue now. */
  readonly queueDepth: number;
  readonly backpressureEvents: number;
}

/** What the manager needs from the engine. */
export interface StrategyManagerOptions {
  readonly log: Logger;
  readonly symbols: readonly string[];
  readonly series: () => readonly SeriesDescriptor[];
  readonly calendars: readonly { readonly symbol: string; readonly spec: CalendarSpec }[];
  readonly quality: (symbol: string, interval: string) => number;
  /** Returns the cash a strategy reads: its first account's. */
  readonly cash: (strategy: string) => number;
  /** Returns a strategy's position in a symbol, in its first account. */
  readonly position: (strategy: string, symbol: string) => number;
  /** Returns the engine clock's time. */
  readonly now: () => number;
}

/**
 * Starts strategies (inline or each in a thread), routes each updated series to the strategies subscribed
 * to it, synchronizes with the threads by mode, and gathers signals in registration order, so that in a
 * backtest inline and thread strategies give the same results.
 */
export class StrategyManager {
  readonly runners: Runner[] = [];
  readonly failures: StrategyFailure[] = [];
  readonly backpressure: BackpressureMonitor;
  readonly #o: StrategyManagerOptions;
  readonly #map = new SubscriptionMap();
  readonly #sync: ThreadSync;
  readonly #byName = new Map<string, Runner>();
  readonly #kinds = new Map<Runner, StrategyKind>();
  /** The threads of strategies that did not start, ending. */
  readonly #refused: Promise<void>[] = [];
  readonly #paused = new Set<Runner>();
  readonly #pending: { runner: Runner; signals: readonly Signal[] }[] = [];
  readonly #symbolIds: Map<string, number>;

  constructor(o: StrategyManagerOptions) {
    this.#o = o;
    this.#symbolIds = new Map(o.symbols.map((s, i) => [s, i]));
    this.backpressure = new BackpressureMonitor(o.log, (name) => this.pause(name));
    this.#sync = new ThreadSync({
      backpressure: this.backpressure,
      quality: o.quality,
      cash: o.cash,
      now: o.now,
      take: (runner, signals) => this.#pending.push({ runner, signals }),
    });
  }

  /** Starts each loaded strategy; those that refuse are reported, not started. */
  async start(
    loaded: readonly LoadedStrategy[],
    contextFor: (runner: Runner) => StrategyContext,
    slotsOf: (runner: Runner) => readonly (SeriesSlot | undefined)[],
    slotCount: number,
  ): Promise<void> {
    const threads = loaded.filter((s) => s.entry.isolation === 'thread').length;
    const spin = spinFor(threads, availableParallelism());
    this.#sync.setSpin(spin);
    const candidates = loaded.map((s) => {
      const runner = this.#runnerFor(s, s.entry, spin);
      this.#kinds.set(runner, strategyKind(s.strategy));
      return runner;
    });
    // Threads set up in parallel; their order in the result is still the registration order.
    // Known before setup, which may read its series.
    for (const r of candidates) this.#map.set(r, r.subscriptions(), slotsOf(r));
    const outcomes = await Promise.all(candidates.map((r) => r.start(contextFor(r))));
    candidates.forEach((runner, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        this.failures.push({ name: runner.name, index: runner.index, reason: outcome.reason });
        this.#o.log.warn(`strategy ${runner.name} did not start: ${outcome.reason}`);
        // Its thread ends on its own; `stop` waits for it to be gone.
        if (runner instanceof ThreadRunner) this.#refused.push(runner.stop(1000));
        return;
      }
      this.runners.push(runner);
      this.#byName.set(runner.name, runner);
      if (runner instanceof ThreadRunner) this.#sync.add(runner);
    });
    this.rebuildRoutes(slotCount);
  }

  /** Returns true when a strategy subscribes to the series `key` (symbol@interval). */
  subscribes(runner: Runner, key: string): boolean {
    return this.#map.subscribes(runner, key);
  }

  /** Takes note of a symbol that joined the session (it takes the next symbol id). */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#symbolIds.size);
    for (const t of this.#sync.threads) t.addSymbols(this.#symbolIds.size);
  }

  /**
   * Asks each running strategy, in registration order, for the subscriptions it states now, after telling
   * it that a symbol joined (`joined`). Returns each answer, or why there is none (a hook threw, the
   * thread is faulted). Threads answer after the notifications they have queued.
   */
  async restate(
    joined?: ControlRequest & { op: 'join' },
  ): Promise<Map<Runner, readonly Subscription[] | string>> {
    const answers = new Map<Runner, readonly Subscription[] | string>();
    for (const r of this.runners) {
      if (r instanceof InlineRunner) {
        answers.set(r, r.restate(joined?.symbol));
        continue;
      }
      if (r.faulted !== undefined) continue;
      const reply = await this.#sync.request(r, joined ?? { op: 'ask' });
      answers.set(r, reply.error ?? reply.subscriptions ?? 'the strategy thread sent no subscriptions');
    }
    return answers;
  }

  /**
   * Routes `subscriptions` (resolved to `slots`, one per subscription) to a strategy from now on; a thread
   * also gets the descriptors of series it has not seen. Call `rebuildRoutes` once all changes are made.
   */
  async resubscribe(
    runner: Runner,
    subscriptions: readonly Subscription[],
    slots: readonly (SeriesSlot | undefined)[],
    newSeries: readonly SeriesDescriptor[],
  ): Promise<void> {
    const before = runner.subscriptions();
    // First, so that a thread's shared quality block has room for the new ones when it reads them.
    runner.setSubscriptions(subscriptions);
    if (runner instanceof ThreadRunner) {
      const reply = await this.#sync.request(runner, {
        op: 'use',
        subscriptions: subscriptions.map(([s, i]) => [s, i] as const),
        series: newSeries,
      });
      if (reply.error !== undefined) {
        runner.setSubscriptions(before);
        this.#o.log.error(`strategy ${runner.name}: its new subscriptions could not be sent: ${reply.error}`);
        return;
      }
    }
    this.#map.set(runner, subscriptions, slots);
  }

  /** Rebuilds the subscription map from each strategy's current subscriptions (`slotCount` series slots). */
  rebuildRoutes(slotCount: number): void {
    this.#map.rebuild(this.runners, slotCount, (r) => r instanceof InlineRunner);
  }

  #runnerFor(s: LoadedStrategy, entry: StrategyEntry, spin: number): Runner {
    if (entry.isolation === 'inline') return new InlineRunner(s.strategy, s.index, this.#o.log);
    const runner = new ThreadRunner({
      index: s.index,
      subscriptions: s.strategy.getSubscriptions(),
      queueSize: entry.queue_size,
      spin,
      group: this.#sync.groupCell,
      log: this.#o.log,
      worker: {
        file: s.module.file,
        className: s.module.className,
        name: s.strategy.name,
        config: s.strategy.config,
        series: this.#o.series(),
        symbols: this.#o.symbols,
        calendars: this.#o.calendars,
      },
    });
    this.#sync.setPolicy(runner, {
      stepTimeoutMs: entry.step_timeout_ms,
      queueSize: entry.queue_size,
      onQueueFull: entry.on_queue_full,
      onBackpressure: entry.on_backpressure,
    });
    return runner;
  }

  /** Stops delivering notifications to a strategy until `resume`; false for an unknown name. */
  pause(name: string): boolean {
    const r = this.#byName.get(name);
    if (!r) return false;
    this.#paused.add(r);
    return true;
  }

  /** Delivers notifications to a paused strategy again; false for an unknown name. */
  resume(name: string): boolean {
    const r = this.#byName.get(name);
    if (!r) return false;
    this.#paused.delete(r);
    return true;
  }

  /** Mirrors a fill's effect on a thread strategy's position, so its context reads it in place. */
  onPosition(strategy: string, symbol: string): void {
    const r = this.#byName.get(strategy);
    if (r instanceof ThreadRunner) {
      r.setPosition(this.#symbolIds.get(symbol) ?? -1, this.#o.position(strategy, symbol));
    }
  }

  /**
   * Delivers the notifications of one step: threads first (so they work while inline strategies run),
   * then inline strategies. In data mode returns false when a thread is still busy after a short wait
   * (then call `finish`); in clock mode waits at most `budgetMs` and counts overruns; in live mode never
   * waits.
   */
  notify(
    nowMs: number,
    slots: readonly SeriesSlot[],
    updated: readonly number[],
    n: number,
    mode: SyncMode = 'data',
    budgetMs = 0,
  ): boolean {
    const sync = this.#sync;
    if (sync.threads.length > 0) {
      const routes = this.#map.routes;
      for (let k = 0; k < n; k++) {
        for (const { runner, sub } of routes[updated[k]!]!) {
          if (runner instanceof ThreadRunner && !this.#paused.has(runner))
            sync.enqueue(runner, sub, nowMs, mode);
        }
      }
      sync.publishAll(nowMs, mode);
    }
    const inline = this.#map.inline;
    const paused = this.#paused.size > 0;
    for (let k = 0; k < n; k++) {
      const slot = slots[updated[k]!]!;
      const rs = inline[slot.id]!;
      for (let r = 0; r < rs.length; r++) {
        const runner = rs[r]!;
        if (paused && this.#paused.has(runner)) continue;
        const out = runner.notify(slot.symbol, slot.interval);
        if (out.length > 0) this.#pending.push({ runner, signals: out });
      }
    }
    if (!sync.waiting) return true;
    if (mode === 'data') return sync.collectReady(WAIT_SLICE_MS);
    sync.moveOn(mode === 'clock' ? budgetMs : 0);
    return true;
  }

  /** Data mode: waits for busy threads, letting the event loop run; a thread past its step budget is terminated. */
  finish(): Promise<void> {
    return this.#sync.finish();
  }

  /** Waits for every thread to finish what it was given (end of a replay or live run), then collects. */
  drainAll(): Promise<void> {
    return this.#sync.drainAll();
  }

  /** Hands every signal of the step to `route`, in strategy registration order, and clears them. */
  drain(route: (strategy: string, signal: Signal) => void): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    if (pending.length > 1) pending.sort((a, b) => a.runner.index - b.runner.index);
    for (const p of pending) for (const s of p.signals) route(p.runner.name, s);
    pending.length = 0;
  }

  /**
   * Tells each strategy the quality of its subscriptions as of the clock's time (once per session day).
   * Returns a promise only when a strategy thread has to be waited for.
   */
  qualityUpdate(mode: SyncMode = 'data'): Promise<void> | undefined {
    for (const runner of this.runners) {
      if (this.#paused.has(runner)) continue;
      runner.subscriptions().forEach(([symbol, interval], k) => {
        const q = this.#o.quality(symbol, interval);
        if (runner instanceof InlineRunner) runner.qualityUpdate(symbol, interval, q);
        else {
          runner.setQuality(k, q);
          this.#sync.enqueue(runner, k, Number.NaN, mode, Kind.Quality);
        }
      });
    }
    if (this.#sync.threads.length === 0) return undefined;
    this.#sync.publishAll(Number.NaN, mode);
    // Clock and live modes: the threads stay published, so the next step waits for them within its budget
    // instead of counting an overrun for a thread that has just been handed its quality.
    if (mode !== 'data') return undefined;
    return this.#sync.collectReady(WAIT_SLICE_MS) ? undefined : this.#sync.finish();
  }

  /** Stops every strategy: threads finish their queue and run teardown, or are terminated after the timeout. */
  async stop(contextFor: (runner: Runner) => StrategyContext, timeoutMs = 5000): Promise<void> {
    await Promise.all([
      ...this.runners.map((r) => (r instanceof InlineRunner ? r.stop(contextFor(r)) : r.stop(timeoutMs))),
      ...this.#refused.splice(0),
    ]);
  }

  /** Returns each started strategy's state and figures. */
  metrics(): StrategyMetrics[] {
    return this.runners.map((r) => {
      const fault = r instanceof ThreadRunner ? r.faulted : undefined;
      const status = fault !== undefined ? 'faulted' : this.#paused.has(r) ? 'paused' : 'running';
      return {
        name: r.name,
        kind: this.#kinds.get(r) ?? 'rules',
        isolation: r.isolation,
        status,
        ...(fault === undefined ? {} : { faultReason: fault }),
        ...(r.degraded === undefined ? {} : { degraded: r.degraded }),
        subscriptions: r.subscriptions().length,
        queueDepth: r instanceof ThreadRunner ? r.queued : 0,
        backpressureEvents: this.backpressure.events(r.name),
        ...r.metrics(),
      };
    });
  }
}
