// The strategy manager: starts a session's strategies (each inline or in a thread), routes each updated
// series to the strategies subscribed to it, waits for them as the run's policy says, and gathers their
// signals in registration order, so that inline and thread strategies give the same results.
import { availableParallelism } from 'node:os';
import type { CalendarSpec } from '../../config/session-config.ts';
import type { Logger } from '../../core/logger.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Order } from '../../model/order.ts';
import type { Signal } from '../../model/signal.ts';
import type { StrategyContext, Subscription } from '../base-strategy.ts';
import type { LoadedStrategy } from '../loader.ts';
import { BackpressureMonitor } from './backpressure.ts';
import { spinFor } from './channel.ts';
import { InlineRunner, type InterruptedCall } from './inline-runner.ts';
import type { JoinRequest, Placement, StrategyRunner } from './runner.ts';
import { createRunner } from './runner-factory.ts';
import { type StrategyMetrics, strategyMetrics } from './strategy-metrics.ts';
import { deliverOrderEvents, type OrderEventQueue } from './order-events.ts';
import type { PositionMirror } from './position-mirror.ts';
import { type SeriesSlot, SubscriptionMap } from './subscription-map.ts';
import { ThreadRunner } from './thread-runner.ts';
import { ThreadSync, WAIT_SLICE_MS } from './thread-sync.ts';
import type { WaitPolicy } from './wait-policy.ts';

const NO_RUNNERS: readonly StrategyRunner[] = Object.freeze([]);

/** A strategy that was loaded but did not start, and why. */
export interface StrategyFailure {
  readonly name: string;
  readonly index: number;
  readonly reason: string;
}

/** What the manager needs from the engine. */
export interface StrategyManagerOptions {
  readonly log: Logger;
  /** How the run waits for its strategies, chosen once per run. */
  readonly wait: WaitPolicy;
  readonly symbols: readonly string[];
  readonly series: () => readonly SeriesDescriptor[];
  readonly calendars: readonly { readonly symbol: string; readonly spec: CalendarSpec }[];
  readonly quality: (symbol: string, interval: string) => number;
  /** Returns the cash a strategy reads: its first account's. */
  readonly cash: (strategy: string) => number;
  /** Returns the equity a strategy reads: its first account's. */
  readonly equity: (strategy: string) => number;
  /** Returns a symbol's last close, by symbol id (NaN before its first bar). */
  readonly lastClose: (symbolId: number) => number;
  /** The execution listener that queues each strategy's order events until its next step. */
  readonly events: OrderEventQueue;
  /** The execution listener that copies fills' positions to the strategies that read them in place. */
  readonly mirror: PositionMirror;
  /** Returns the engine clock's time. */
  readonly now: () => number;
}

/** What starting a session's strategies takes. */
export interface StartOptions {
  readonly loaded: readonly LoadedStrategy[];
  /** Where each strategy runs (in `loaded` order). */
  readonly placements: readonly Placement[];
  readonly contextFor: (runner: StrategyRunner) => StrategyContext;
  /** Resolves a strategy's subscriptions to series slots (undefined: no such series yet). */
  readonly slotsOf: (runner: StrategyRunner) => readonly (SeriesSlot | undefined)[];
  readonly slotCount: number;
}

/** Starts strategies, delivers each step to them and gathers their signals. */
export class StrategyManager {
  readonly runners: StrategyRunner[] = [];
  readonly failures: StrategyFailure[] = [];
  readonly backpressure: BackpressureMonitor;
  readonly #o: StrategyManagerOptions;
  readonly #map = new SubscriptionMap();
  readonly #sync: ThreadSync;
  readonly #byName = new Map<string, StrategyRunner>();
  /** What strategies that did not start still hold, being released. */
  readonly #refused: Promise<void>[] = [];
  /** Signals taken and not yet routed, with the arrival of the live bar they answer (NaN otherwise). */
  readonly #pending: { runner: StrategyRunner; signals: readonly Signal[]; arrivalMs: number }[] = [];
  /** The arrival (monotonic ms) of the live bar being stepped: NaN outside a live run. */
  #arrivalMs = Number.NaN;
  /** Symbols in the session: those of the data sources, then those that joined. */
  #symbols: number;
  /**
   * Strategies paused now, and inline ones faulted (a call past its time limit): while there are none, the
   * per-bar loop need not look at each one's state.
   */
  #paused = 0;
  /** The step `notify` delivers (kept so that a step cut by an inline call past its limit can go on). */
  #slots: readonly SeriesSlot[] = [];
  #updated: readonly number[] = [];
  #n = 0;
  #budgetMs = 0;
  /** Scheduled strategies due for `onTick` in the step `notify` delivers next (see `tickAt`). */
  #ticking: readonly StrategyRunner[] = NO_RUNNERS;

  constructor(o: StrategyManagerOptions) {
    this.#o = o;
    this.#symbols = o.symbols.length;
    this.backpressure = new BackpressureMonitor(o.log, (name) => this.pause(name));
    this.#sync = new ThreadSync({
      backpressure: this.backpressure,
      wait: o.wait,
      quality: o.quality,
      cash: o.cash,
      equity: o.equity,
      lastClose: o.lastClose,
      now: o.now,
      take: (runner, signals, arrivalMs) => this.#pending.push({ runner, signals, arrivalMs }),
    });
  }

  /** Starts each loaded strategy where its placement says; those that refuse are reported, not started. */
  async start(o: StartOptions): Promise<void> {
    const threads = o.placements.filter((p) => p.isolation === 'thread').length;
    const spin = spinFor(threads, availableParallelism());
    this.#sync.setSpin(spin);
    const candidates = o.loaded.map((s, i) => this.#runnerFor(s, o.placements[i]!, spin));
    // Known before setup, which may read its series.
    for (const r of candidates) this.#map.set(r, r.subscriptions(), o.slotsOf(r));
    // Threads set up in parallel; their order in the result is still the registration order.
    const outcomes = await Promise.all(candidates.map((r) => r.start(o.contextFor(r))));
    candidates.forEach((runner, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        this.failures.push({ name: runner.name, index: runner.index, reason: outcome.reason });
        this.#o.log.warn(`strategy ${runner.name} did not start: ${outcome.reason}`);
        this.#refused.push(runner.release());
        return;
      }
      this.runners.push(runner);
      this.#byName.set(runner.name, runner);
      this.#o.mirror.track(runner);
      this.#o.events.track(runner.name);
    });
    this.rebuildRoutes(o.slotCount);
  }

  #runnerFor(s: LoadedStrategy, placement: Placement, spin: number): StrategyRunner {
    return createRunner(s, placement, {
      log: this.#o.log,
      sync: this.#sync,
      spin,
      series: this.#o.series(),
      symbols: this.#o.symbols,
      calendars: this.#o.calendars,
      // A faulted inline strategy stays in the routes: the per-bar loop then looks at each one's state.
      onInlineFault: () => this.#paused++,
    });
  }

  /** Returns true when a strategy subscribes to the series `key` (symbol@interval). */
  subscribes(runner: StrategyRunner, key: string): boolean {
    return this.#map.subscribes(runner, key);
  }

  /** Takes note of a symbol that joined the session (it takes the next symbol id). */
  addSymbol(symbol: string): void {
    this.#symbols++;
    this.#o.mirror.addSymbol(symbol);
    for (const r of this.runners) r.addSymbols(this.#symbols);
  }

  /**
   * Asks each strategy that is not faulted, in registration order, for the subscriptions it states now,
   * after telling it that a symbol joined (`joined`). Returns each answer, or why there is none (a hook
   * threw, the thread is faulted). Threads answer after the notifications they have queued.
   */
  async restate(joined?: JoinRequest): Promise<Map<StrategyRunner, readonly Subscription[] | string>> {
    const answers = new Map<StrategyRunner, readonly Subscription[] | string>();
    for (const r of this.runners) {
      if (r.lifecycle.state !== 'faulted') answers.set(r, await r.restate(joined));
    }
    return answers;
  }

  /**
   * Routes `subscriptions` (resolved to `slots`, one per subscription) to a strategy from now on; a thread
   * also gets the descriptors of series it has not seen. Call `rebuildRoutes` once all changes are made.
   */
  async resubscribe(
    runner: StrategyRunner,
    subscriptions: readonly Subscription[],
    slots: readonly (SeriesSlot | undefined)[],
    newSeries: readonly SeriesDescriptor[],
  ): Promise<void> {
    const error = await runner.use(subscriptions, newSeries);
    if (error !== undefined) {
      this.#o.log.error(`strategy ${runner.name}: its new subscriptions could not be sent: ${error}`);
      return;
    }
    this.#map.set(runner, subscriptions, slots);
  }

  /** Rebuilds the subscription map from each strategy's current subscriptions (`slotCount` series slots). */
  rebuildRoutes(slotCount: number): void {
    this.#map.rebuild(this.runners, slotCount);
  }

  /** Stops delivering notifications to a strategy until `resume`; false for an unknown name. */
  pause(name: string): boolean {
    const r = this.#byName.get(name);
    if (!r) return false;
    if (r.lifecycle.state === 'running') {
      r.lifecycle.to('paused');
      this.#paused++;
    }
    return true;
  }

  /** Delivers notifications to a paused strategy again; false for an unknown name. */
  resume(name: string): boolean {
    const r = this.#byName.get(name);
    if (!r) return false;
    if (r.lifecycle.state === 'paused') {
      r.lifecycle.to('running');
      this.#paused--;
    }
    return true;
  }

  /**
   * Delivers the notifications of one step: runners that queue first (so that threads work while the
   * others run), then the others. When the step waits for all (`budgetMs` Infinity), returns false while a
   * thread is still busy after a short wait (then call `finish`); otherwise waits at most `budgetMs` and
   * counts overruns.
   */
  notify(
    nowMs: number,
    slots: readonly SeriesSlot[],
    updated: readonly number[],
    n: number,
    budgetMs: number,
  ): boolean {
    const sync = this.#sync;
    const waitAll = budgetMs === Number.POSITIVE_INFINITY;
    // Order events come before the bars of the step, threads' ahead of their bars in their queue; a due
    // tick comes between the two.
    const events = this.#o.events.pending > 0;
    const ticking = this.#ticking;
    if (sync.threads.length > 0) {
      sync.beginStep(nowMs);
      if (events) this.#deliverEvents(true);
      // A thread's tick is queued before its bars, as it is called before them inline.
      for (const r of ticking) if (r.queues && r.lifecycle.running) r.deliverTick(nowMs);
      const queued = this.#map.queued;
      for (let k = 0; k < n; k++) {
        const slot = slots[updated[k]!]!;
        for (const { runner, sub } of queued[slot.id]!) {
          if (runner.lifecycle.running) runner.deliver(sub, slot.symbol, slot.interval);
        }
      }
      sync.publishAll(waitAll);
    }
    this.#slots = slots;
    this.#updated = updated;
    this.#n = n;
    this.#budgetMs = budgetMs;
    if (events) this.#deliverEvents(false);
    if (ticking.length > 0) this.#tickFrom(0, nowMs);
    this.#deliverFrom(0, 0);
    return this.#collect();
  }

  /** Hands the running strategies that queue (threads) or run at once their queued order events. */
  #deliverEvents(queues: boolean): void {
    deliverOrderEvents(this.runners, this.#o.events, queues);
  }

  /**
   * Puts a resumed run's working orders into each strategy's book, without events (`ordersOf` returns a
   * strategy's working orders in every account it routes to).
   */
  seedOrders(ordersOf: (strategy: string) => readonly Order[]): void {
    for (const runner of this.runners) {
      const orders = ordersOf(runner.name);
      if (orders.length > 0) runner.seedOrders(orders);
    }
  }

  /**
   * Says which scheduled strategies get `onTick` in the next step `notify` delivers (before their bars):
   * the tick's time is that step's.
   */
  tickAt(due: readonly StrategyRunner[]): void {
    this.#ticking = due;
  }

  /** Calls the due inline strategies' `onTick`, from the `i0`-th due strategy on; then none is due. */
  #tickFrom(i0: number, nowMs: number): void {
    const ticking = this.#ticking;
    for (let i = i0; i < ticking.length; i++) {
      const runner = ticking[i]!;
      if (runner.queues || !runner.lifecycle.running) continue;
      const out = runner.deliverTick(nowMs);
      if (out.length > 0) this.#pending.push({ runner, signals: out, arrivalMs: this.#arrivalMs });
    }
    this.#ticking = NO_RUNNERS;
  }

  /** Delivers the step's bars to the runners that run at once, from route `r0` of updated series `k0` on. */
  #deliverFrom(k0: number, r0: number): void {
    const slots = this.#slots;
    const updated = this.#updated;
    const n = this.#n;
    const immediate = this.#map.immediate;
    // Only a pause or a fault (a call past its time limit) leaves a runner that runs at once out.
    const paused = this.#paused > 0;
    for (let k = k0; k < n; k++) {
      const slot = slots[updated[k]!]!;
      const routes = immediate[slot.id]!;
      for (let r = k === k0 ? r0 : 0; r < routes.length; r++) {
        const { runner, sub } = routes[r]!;
        if (paused && !runner.lifecycle.running) continue;
        const out = runner.deliver(sub, slot.symbol, slot.interval);
        if (out.length > 0) this.#pending.push({ runner, signals: out, arrivalMs: this.#arrivalMs });
      }
    }
  }

  /** Collects the step's threads as the run waits for them; false while one is still busy (then `finish`). */
  #collect(): boolean {
    const sync = this.#sync;
    if (!sync.waiting) return true;
    const budgetMs = this.#budgetMs;
    if (budgetMs === Number.POSITIVE_INFINITY) return sync.collectReady(WAIT_SLICE_MS);
    sync.moveOn(budgetMs);
    return true;
  }

  /**
   * Goes on with the step `notify` was delivering when the inline call `cut` was interrupted (its strategy
   * is faulted by then): the routes after it get their bars, so that the others see the step as if the
   * faulted strategy had returned nothing. Returns what `notify` returns.
   */
  resumeNotify(cut: InterruptedCall, nowMs: number): boolean {
    if (cut.hook === 'onTick') {
      this.#tickFrom(this.#ticking.indexOf(cut.runner) + 1, nowMs);
      this.#deliverFrom(0, 0);
      return this.#collect();
    }
    const slots = this.#slots;
    const updated = this.#updated;
    const immediate = this.#map.immediate;
    for (let k = 0; k < this.#n; k++) {
      const slot = slots[updated[k]!]!;
      if (slot.symbol !== cut.symbol || slot.interval !== cut.interval) continue;
      const r = immediate[slot.id]!.findIndex((route) => route.runner === cut.runner);
      if (r >= 0) {
        this.#deliverFrom(k, r + 1);
        break;
      }
    }
    return this.#collect();
  }

  /** Waits for busy threads, letting the event loop run; a thread past its step budget is terminated. */
  finish(): Promise<void> {
    return this.#sync.finish();
  }

  /** Waits for every thread to finish what it was given (end of a replay or live run), then collects. */
  drainAll(): Promise<void> {
    return this.#sync.drainAll();
  }

  /**
   * Hands every signal taken so far to `route`, in strategy registration order, with the arrival of the
   * live bar it answers (NaN outside a live run), and clears them.
   */
  drain(route: (strategy: string, signal: Signal, arrivalMs: number) => void): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    if (pending.length > 1) pending.sort((a, b) => a.runner.index - b.runner.index);
    for (const p of pending) for (const s of p.signals) route(p.runner.name, s, p.arrivalMs);
    pending.length = 0;
  }

  /** Says when the live bar of the next steps arrived at the feed (monotonic ms), for the latency figures. */
  arriving(arrivalMs: number): void {
    this.#arrivalMs = arrivalMs;
    this.#sync.pace.arrivalMs = arrivalMs;
  }

  /** Returns true while a thread that a live step moved on from is still busy or not yet collected. */
  get lagging(): boolean {
    return this.#sync.lagging;
  }

  /** Between live bars: waits at most `sliceMs` for busy threads and takes their signals; true when none is busy. */
  settle(sliceMs: number): boolean {
    return this.#sync.settle(sliceMs);
  }

  /**
   * Tells each running strategy the quality of its subscriptions as of the clock's time (once per session
   * day). With `wait`, returns a promise when a strategy thread has to be waited for; without, threads
   * stay published and the next step waits for them within its budget.
   */
  qualityUpdate(wait: boolean, after?: StrategyRunner): Promise<void> | undefined {
    const sync = this.#sync;
    sync.beginStep(Number.NaN);
    // Going on after `after` (a strategy faulted in its update): those before it have had theirs.
    const from = after === undefined ? 0 : this.runners.indexOf(after) + 1;
    for (let i = from; i < this.runners.length; i++) {
      const runner = this.runners[i]!;
      if (!runner.lifecycle.running) continue;
      runner.subscriptions().forEach(([symbol, interval], k) => {
        runner.deliverQuality(k, symbol, interval, this.#o.quality(symbol, interval));
      });
    }
    if (sync.threads.length === 0) return undefined;
    sync.publishAll(wait);
    if (!wait) return undefined;
    return sync.collectReady(WAIT_SLICE_MS) ? undefined : sync.finish();
  }

  /**
   * Stops every strategy: threads finish their queue and run teardown, or are terminated after their
   * `teardown_timeout_ms` (or `timeoutMs` when given); an inline teardown past its limit is given up on.
   */
  async stop(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.runners.map((r) => r.stop(timeoutMs)), ...this.#refused.splice(0)]);
  }

  /**
   * The time limit of the engine's guarded slices of steps while inline strategies run (undefined when
   * none do): the smallest `step_timeout_ms` among them, but no less than the largest thread strategy's
   * plus a second, as a slice may wait that long for a thread that blocks its queue.
   */
  get sliceLimitMs(): number | undefined {
    let inline = Number.POSITIVE_INFINITY;
    let thread = 0;
    for (const r of this.runners) {
      if (r instanceof InlineRunner) inline = Math.min(inline, r.limits.stepMs);
      else if (r instanceof ThreadRunner)
        thread = Math.max(thread, this.#sync.policy(r).stepTimeoutMs + 1000);
    }
    return inline === Number.POSITIVE_INFINITY ? undefined : Math.max(inline, thread);
  }

  /** Returns each started strategy's state and figures. */
  metrics(): StrategyMetrics[] {
    return this.runners.map((r) => strategyMetrics(r, this.backpressure.events(r.name)));
  }
}
