import type { CalendarSpec, StrategyEntry } from '../config/session-config.ts';
import { monotonicMs, yieldToEventLoop } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { SeriesDescriptor } from '../data/session-data.ts';
import type { Signal } from '../model/signal.ts';
import type { StrategyContext } from '../strategy/base-strategy.ts';
import type { LoadedStrategy } from '../strategy/loader.ts';
import type { Subscription } from '../strategy/base-strategy.ts';
import type { ProcessingMetrics } from '../strategy/metrics.ts';
import { InlineRunner } from '../strategy/runner.ts';
import { availableParallelism } from 'node:os';
import { DEFAULT_SPIN, Kind } from '../strategy/thread/channel.ts';
import type { ControlReply, ControlRequest } from '../strategy/thread/protocol.ts';
import { createStepGroup, StepGroup } from '../strategy/thread/step-group.ts';
import { ThreadRunner } from '../strategy/thread/thread-runner.ts';
import { BackpressureMonitor } from './backpressure.ts';
import type { SeriesSlot } from './data-processor.ts';

/** A started strategy: on the processor's thread or in its own. */
export type Runner = InlineRunner | ThreadRunner;

/** A strategy that was loaded but did not start, and why. */
export interface StrategyFailure {
  readonly name: string;
  readonly index: number;
  readonly reason: string;
}

/** A strategy's state and figures, as `engine.getMetrics()` reports them. */
export interface StrategyMetrics extends ProcessingMetrics {
  readonly name: string;
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

/** How the processor waits for strategies: every step (backtest), a time budget (replay), or never (live). */
export type SyncMode = 'data' | 'clock' | 'live';

interface Route {
  readonly runner: Runner;
  /** The subscription's index in the runner's list (what a thread notification names). */
  readonly sub: number;
}

interface ThreadPolicy {
  readonly stepTimeoutMs: number;
  readonly queueSize: number;
  readonly onQueueFull: 'block' | 'drop_oldest';
  readonly onBackpressure: 'warn' | 'pause';
}

// How long the processor sleeps in one piece while waiting for a thread before it lets Node's event loop
// run, so that a crashed thread's exit event is seen.
const WAIT_SLICE_MS = 50;
/** How long a backtest step may keep waiting for a thread before that counts as backpressure. */
const READINESS_WARN_MS = 1000;

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
  /** The subscription map: for each series slot id, the strategies subscribed to it. */
  #routes: Route[][] = [];
  /** The inline runners of each route, for the loop that runs per bar. */
  #inlineRoutes: InlineRunner[][] = [];
  /** Each started strategy's subscriptions resolved to series slots (undefined: no such series). */
  readonly #slotsOf = new Map<Runner, readonly (SeriesSlot | undefined)[]>();
  /** Each started strategy's subscribed series keys, for the check in `ctx.bars`. */
  readonly #keysOf = new Map<Runner, ReadonlySet<string>>();
  readonly #threads: ThreadRunner[] = [];
  readonly #byName = new Map<string, Runner>();
  readonly #policies = new Map<ThreadRunner, ThreadPolicy>();
  readonly #paused = new Set<Runner>();
  readonly #published: ThreadRunner[] = [];
  /** Threads still busy when a clock or live step moved on; their signals are taken every step. */
  readonly #late: ThreadRunner[] = [];
  readonly #pending: { runner: Runner; signals: readonly Signal[] }[] = [];
  readonly #symbolIds: Map<string, number>;
  readonly #groupCell = createStepGroup();
  #group = new StepGroup(this.#groupCell, 0);
  /** Whether the threads published last counted out of one step group (see step-group.ts). */
  #grouped = false;

  constructor(o: StrategyManagerOptions) {
    this.#o = o;
    this.#symbolIds = new Map(o.symbols.map((s, i) => [s, i]));
    this.backpressure = new BackpressureMonitor(o.log, (name) => this.pause(name));
  }

  /** Starts each loaded strategy; those that refuse are reported, not started. */
  async start(
    loaded: readonly LoadedStrategy[],
    contextFor: (runner: Runner) => StrategyContext,
    slotsOf: (runner: Runner) => readonly (SeriesSlot | undefined)[],
    slotCount: number,
  ): Promise<void> {
    // The engine's thread and every strategy thread want a core; past that, polling steals time.
    const threads = loaded.filter((s) => s.entry.isolation === 'thread').length;
    const spin = threads + 1 <= availableParallelism() ? DEFAULT_SPIN : 0;
    this.#group = new StepGroup(this.#groupCell, spin);
    const candidates = loaded.map((s) => this.#runnerFor(s, s.entry, spin));
    // Threads set up in parallel; their order in the result is still the registration order.
    // Known before setup, which may read its series.
    for (const r of candidates) this.#route(r, r.subscriptions(), slotsOf(r));
    const outcomes = await Promise.all(candidates.map((r) => r.start(contextFor(r))));
    candidates.forEach((runner, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        this.failures.push({ name: runner.name, index: runner.index, reason: outcome.reason });
        this.#o.log.warn(`strategy ${runner.name} did not start: ${outcome.reason}`);
        if (runner instanceof ThreadRunner) void runner.stop(1000);
        return;
      }
      this.runners.push(runner);
      this.#byName.set(runner.name, runner);
      if (runner instanceof ThreadRunner) this.#threads.push(runner);
    });
    this.#rebuildRoutes(slotCount);
  }

  /** Returns true when a strategy subscribes to the series `key` (symbol@interval). */
  subscribes(runner: Runner, key: string): boolean {
    return this.#keysOf.get(runner)?.has(key) ?? false;
  }

  /** Takes note of a symbol that joined the session (it takes the next symbol id). */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#symbolIds.size);
    for (const t of this.#threads) t.addSymbols(this.#symbolIds.size);
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
      const reply = await this.#request(r, joined ?? { op: 'ask' });
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
    if (runner instanceof ThreadRunner) {
      const reply = await this.#request(runner, {
        op: 'use',
        subscriptions: subscriptions.map(([s, i]) => [s, i] as const),
        series: newSeries,
      });
      if (reply.error !== undefined) return;
    }
    runner.setSubscriptions(subscriptions);
    this.#route(runner, subscriptions, slots);
  }

  /** Rebuilds the subscription map from each strategy's current subscriptions (`slotCount` series slots). */
  rebuildRoutes(slotCount: number): void {
    this.#rebuildRoutes(slotCount);
  }

  #route(
    runner: Runner,
    subscriptions: readonly Subscription[],
    slots: readonly (SeriesSlot | undefined)[],
  ): void {
    this.#slotsOf.set(runner, slots);
    this.#keysOf.set(runner, new Set(subscriptions.map(([s, i]) => `${s}@${i}`)));
  }

  #rebuildRoutes(slotCount: number): void {
    const routes: Route[][] = Array.from({ length: slotCount }, () => []);
    const inline: InlineRunner[][] = Array.from({ length: slotCount }, () => []);
    // Registration order within each slot: the order in which a step notifies inline strategies.
    for (const runner of this.runners) {
      this.#slotsOf.get(runner)?.forEach((slot, sub) => {
        if (slot && !routes[slot.id]!.some((r) => r.runner === runner)) {
          routes[slot.id]!.push({ runner, sub });
          if (runner instanceof InlineRunner) inline[slot.id]!.push(runner);
        }
      });
    }
    this.#routes = routes;
    this.#inlineRoutes = inline;
  }

  /**
   * Sends a control request to a thread and waits for its reply: the thread handles it after what it has
   * queued (its signals are taken meanwhile). A thread that is faulted, or does not answer within its step
   * timeout (then terminated), gives an error reply.
   */
  async #request(r: ThreadRunner, request: ControlRequest): Promise<ControlReply> {
    const { stepTimeoutMs } = this.#policy(r);
    const started = monotonicMs();
    const waited = (): ControlReply | undefined => {
      this.#takeSignals(r);
      if (r.faulted !== undefined) return { error: `the strategy thread is faulted: ${r.faulted}` };
      if (monotonicMs() - started <= stepTimeoutMs) return undefined;
      r.terminate(
        `step timeout: still busy after ${stepTimeoutMs} ms (step_timeout_ms) with a control request; terminated`,
      );
      return { error: r.faulted ?? 'terminated' };
    };
    // A full ring (a late thread in a replay or live run): let the thread make room first.
    while (!r.enqueueControl(request)) {
      if (r.publish()) r.waitDone(WAIT_SLICE_MS);
      const out = waited();
      if (out) return out;
      await yieldToEventLoop();
    }
    r.publish();
    while (!r.waitDone(WAIT_SLICE_MS)) {
      const out = waited();
      if (out) return out;
      await yieldToEventLoop();
    }
    this.#takeSignals(r);
    if (r.faulted !== undefined) return { error: `the strategy thread is faulted: ${r.faulted}` };
    return r.takeReply() ?? { error: 'the strategy thread did not answer' };
  }

  #runnerFor(s: LoadedStrategy, entry: StrategyEntry, spin: number): Runner {
    if (entry.isolation === 'inline') return new InlineRunner(s.strategy, s.index, this.#o.log);
    const runner = new ThreadRunner({
      index: s.index,
      subscriptions: s.strategy.getSubscriptions(),
      queueSize: entry.queue_size,
      spin,
      group: this.#groupCell,
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
    this.#policies.set(runner, {
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
    if (this.#threads.length > 0) {
      const routes = this.#routes;
      for (let k = 0; k < n; k++) {
        for (const { runner, sub } of routes[updated[k]!]!) {
          if (runner instanceof ThreadRunner && !this.#paused.has(runner))
            this.#enqueue(runner, sub, nowMs, mode);
        }
      }
      this.#publishAll(nowMs, mode);
    }
    const inline = this.#inlineRoutes;
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
    if (this.#published.length === 0) return true;
    if (mode === 'data') return this.#collectReady(WAIT_SLICE_MS);
    this.#moveOn(mode === 'clock' ? budgetMs : 0);
    return true;
  }

  /** Data mode: waits for busy threads, letting the event loop run; a thread past its step budget is terminated. */
  async finish(): Promise<void> {
    const started = monotonicMs();
    const warned = new Set<ThreadRunner>();
    while (!this.#collectReady(WAIT_SLICE_MS)) {
      await yieldToEventLoop();
      const waited = monotonicMs() - started;
      for (const r of this.#published) {
        const { stepTimeoutMs: limit, onBackpressure } = this.#policy(r);
        // A busy machine can delay any thread by a slice or two; a step this slow is worth a warning.
        if (!warned.has(r) && waited > Math.min(READINESS_WARN_MS, limit / 2)) {
          warned.add(r);
          this.backpressure.report(
            r.name,
            'readiness',
            onBackpressure,
            `still busy after ${Math.round(waited)} ms`,
          );
        }
        if (r.faulted === undefined && waited > limit) {
          r.terminate(`step timeout: still busy after ${limit} ms (step_timeout_ms); terminated`);
        }
      }
    }
  }

  /** Waits for every thread to finish what it was given (end of a replay or live run), then collects. */
  async drainAll(): Promise<void> {
    // Every thread, busy or not: one that finished after the last step it was notified of still holds the
    // signals of that step in its outbox.
    for (const r of this.#threads) if (!this.#published.includes(r)) this.#published.push(r);
    if (!this.#collectReady(WAIT_SLICE_MS)) await this.finish();
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
          this.#enqueue(runner, k, Number.NaN, mode, Kind.Quality);
        }
      });
    }
    if (this.#threads.length === 0) return undefined;
    this.#publishAll(Number.NaN, mode);
    // Clock and live modes: the threads stay published, so the next step waits for them within its budget
    // instead of counting an overrun for a thread that has just been handed its quality.
    if (mode !== 'data') return undefined;
    return this.#collectReady(WAIT_SLICE_MS) ? undefined : this.finish();
  }

  /** Stops every strategy: threads finish their queue and run teardown, or are terminated after the timeout. */
  async stop(contextFor: (runner: Runner) => StrategyContext, timeoutMs = 5000): Promise<void> {
    await Promise.all(
      this.runners.map((r) => (r instanceof InlineRunner ? r.stop(contextFor(r)) : r.stop(timeoutMs))),
    );
  }

  /** Returns each started strategy's state and figures. */
  metrics(): StrategyMetrics[] {
    return this.runners.map((r) => {
      const fault = r instanceof ThreadRunner ? r.faulted : undefined;
      const status = fault !== undefined ? 'faulted' : this.#paused.has(r) ? 'paused' : 'running';
      return {
        name: r.name,
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

  #policy(r: ThreadRunner): ThreadPolicy {
    return this.#policies.get(r)!;
  }

  #enqueue(runner: ThreadRunner, sub: number, nowMs: number, mode: SyncMode, kind: Kind = Kind.Bar): void {
    const policy = this.#policy(runner);
    if (runner.queued >= policy.queueSize * 0.8) {
      this.backpressure.report(
        runner.name,
        'queue',
        policy.onBackpressure,
        `${runner.queued} of ${policy.queueSize} queued`,
      );
    }
    while (!runner.enqueue(sub, kind)) {
      if (policy.onQueueFull === 'drop_oldest' || mode === 'live') {
        // Never hold up a live feed: drop the oldest notification and count it.
        if (runner.dropOldest()) continue;
      }
      // "block": hand over what is queued and wait for room.
      // This loop does not let the event loop run, so a crashed thread is never marked faulted here: the
      // step timeout ends a thread that does not make room. Taking its outbox while waiting lets a thread
      // that finished an earlier step with signals finish this one.
      this.#publish(runner, nowMs);
      const started = monotonicMs();
      while (!runner.waitDone(WAIT_SLICE_MS)) {
        this.#takeSignals(runner);
        if (runner.faulted !== undefined) return;
        if (monotonicMs() - started > policy.stepTimeoutMs) {
          runner.terminate(
            `step timeout: still busy after ${policy.stepTimeoutMs} ms (step_timeout_ms); terminated`,
          );
          return;
        }
      }
      this.#takeSignals(runner);
    }
  }

  /**
   * Publishes every thread with queued notifications. In data mode, when no thread is busy and more than
   * one has work, they count out of one step group, so that the processor is woken once per step.
   */
  #publishAll(nowMs: number, mode: SyncMode): void {
    const threads = this.#threads;
    let tag = 0;
    if (mode === 'data' && this.#published.length === 0) {
      let n = 0;
      let busy = false;
      for (const r of threads) {
        if (r.publishable) n++;
        if (r.busy) busy = true;
      }
      if (n > 1 && !busy) tag = this.#group.begin(n);
    }
    for (const r of threads) this.#publish(r, nowMs, tag);
    this.#grouped = tag !== 0;
  }

  #publish(r: ThreadRunner, nowMs: number, groupTag = 0): void {
    if (!r.hasPending) return;
    if (nowMs === nowMs) r.setClock(nowMs, this.#o.cash(r.name));
    const subs = r.subscriptions();
    for (let k = 0; k < subs.length; k++) r.setQuality(k, this.#o.quality(subs[k]![0], subs[k]![1]));
    if (r.publish(groupTag) && !this.#published.includes(r)) this.#published.push(r);
  }

  /** Collects the signals of threads that are done; true when none is left busy. */
  #collectReady(sliceMs: number): boolean {
    const published = this.#published;
    if (this.#grouped) {
      // Once the group has counted down, every thread in it is done; past the slice, wait for each.
      this.#grouped = false;
      if (this.#group.wait(sliceMs)) {
        for (const r of published) this.#takeSignals(r);
        published.length = 0;
        return true;
      }
      this.#group.abandon();
    }
    for (let i = 0; i < published.length;) {
      const r = published[i]!;
      if (r.waitDone(sliceMs)) {
        this.#takeSignals(r);
        published.splice(i, 1);
      } else {
        // A thread that finished an earlier step with signals waits for them to be taken before it can
        // finish this one.
        this.#takeSignals(r);
        i++;
      }
    }
    return published.length === 0;
  }

  /**
   * Clock and live modes: waits at most `budgetMs` in total for the published threads, collects what
   * they have left so far, and counts an overrun for each one still busy (it catches up from its queue).
   */
  #moveOn(budgetMs: number): void {
    const deadline = monotonicMs() + budgetMs;
    const published = this.#published;
    // Threads that overran earlier steps hand over what they have finished since, every step.
    const late = this.#late;
    for (let i = 0; i < late.length;) {
      const r = late[i]!;
      this.#takeSignals(r);
      if (!r.busy || published.includes(r)) late.splice(i, 1);
      else i++;
    }
    for (const r of published) {
      const left = deadline - monotonicMs();
      if (left > 0) r.waitDone(left);
      this.#takeSignals(r);
      if (r.busy) {
        const policy = this.#policy(r).onBackpressure;
        if (!late.includes(r)) late.push(r);
        r.recordOverrun();
        this.backpressure.report(r.name, 'overruns', policy, 'the step moved on without it');
        const { avgMs } = r.metrics();
        if (budgetMs > 0 && avgMs > budgetMs) {
          this.backpressure.report(
            r.name,
            'slow',
            policy,
            `${avgMs.toFixed(3)} ms per bar, ${budgetMs.toFixed(3)} ms between bars`,
          );
        }
      }
    }
    published.length = 0;
  }

  #takeSignals(r: ThreadRunner): void {
    const out = r.collect();
    if (out.length > 0) this.#pending.push({ runner: r, signals: out });
  }
}
