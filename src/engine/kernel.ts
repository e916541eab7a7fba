// The kernel: the Engine over the parts assembly.ts builds in one pass, and its runs (data-driven, live),
// metrics, pause and resume, and symbols joining mid-run.
import { DataSourceSchema, type LoadedSession } from '../config/session-config.ts';
import { TestClock } from '../core/clock.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { parseWith } from '../core/zod-errors.ts';
import type { BarFeed, FeedEnd } from '../data/feeds/bar-feed.ts';
import type { PaperBroker } from '../execution/paper-broker.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';
import type { StrategyRunner } from '../strategy/host/runner.ts';
import type { StrategyFailure, StrategyManager } from '../strategy/host/strategy-manager.ts';
import type { SyncMode, WaitPolicy } from '../strategy/host/wait-policy.ts';
import type { RunStore } from '../storage/store.ts';
import type { AccountBook } from './accounts.ts';
import { assembleKernel, type KernelParts } from './assembly.ts';
import type { BetweenSteps } from './between-steps.ts';
import type { DataProcessor } from './data-processor.ts';
import { type EngineMetrics, engineMetrics } from './engine-metrics.ts';
import type { RouterCounts } from './router-counts.ts';
import { FeedWatch, LIVE_REJECT_KINDS, NO_FEED } from './feed-watch.ts';
import { LagStats, LiveInbox } from './live.ts';
import { LiveCommitter } from './live-commit.ts';
import { type ResumePlan, restoreKernel, seedOrderBooks, warmUntil } from './resume-restore.ts';
import type { ReplayPacer } from './pacer.ts';
import type { RunRecorder } from './recorder.ts';
import type { RunEvents } from './run-events.ts';
import { runLiveSteps } from './live-loop.ts';
import { type LoopParts, PauseGate, runDataSteps } from './run-loops.ts';
import type { SeriesQuality } from './series-quality.ts';
import type { LoadedData } from './session-builder.ts';
import type { Stepper } from './stepper.ts';
import type { JoinReport } from './symbol-join.ts';
import type { StrategyTypeRow } from './strategy-types.ts';
import type { TickSchedule } from './tick-schedule.ts';
import { LiveTicks, type TickWall, WALL } from './live-ticks.ts';

export type { StrategyFailure } from '../strategy/host/strategy-manager.ts';
export type { StrategyMetrics } from '../strategy/host/strategy-metrics.ts';
export type { SyncMode } from '../strategy/host/wait-policy.ts';
export type { JoinReport } from './symbol-join.ts';
export type { EngineMetrics, SystemMetrics } from './engine-metrics.ts';

/** Time between progress reports (and looks at the abort signal) when `progressEvery` is not given. */
const PROGRESS_INTERVAL_MS = 100;
/** Steps between looks at the time for that beat (a paced replay looks after every step). */
const PROGRESS_LOOK_STEPS = 16;

/** Options for building an engine. Collaborators are passed in: no hidden singletons. */
export interface EngineOptions {
  readonly session: LoadedSession;
  readonly runId: string;
  readonly clock?: TestClock;
  readonly logger?: Logger;
  readonly store?: RunStore;
  /**
   * Called with base bars published and the total: about every 100 ms of a run, or after the next 16th step
   * when steps take longer (and once at its end); or every `progressEvery` steps when that is given. The
   * abort signal is looked at on the same beat.
   */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  /** Stops the run between steps; results gathered so far are kept. */
  readonly abort?: AbortSignal;
  /** Overrides how the processor waits for strategies (default: from speed_multiplier). */
  readonly syncMode?: SyncMode;
  /** Resumes a live run from what it committed (`runLive` then goes on after its last step). */
  readonly resume?: ResumePlan;
  /** Hears the run's events: signals, orders, fills, trades, positions, risk refusals, strategy errors. */
  readonly events?: RunEvents;
  /** The wall time a live run's ticks follow (default: the real one; tests pass their own). */
  readonly tickWall?: TickWall;
}

/**
 * The kernel: data, strategies, paper accounts (each a broker and a portfolio) and the recorder, assembled
 * in one pass (see assembly.ts), and the time steps run over them. The order inside a step is fixed:
 * publish base bars (fills at their open, then marks at their close, account by account), publish
 * aggregated bars that close, notify subscribed strategies, route their signals in registration order,
 * then record equity. The same order in every mode keeps runs reproducible.
 */
export class Engine {
  readonly clock: TestClock;
  readonly log: Logger;
  readonly recorder: RunRecorder;
  /** The run's paper accounts and which strategy routes to which. */
  readonly accounts: AccountBook;
  /** The primary account's portfolio (the one the result's top-level figures describe). */
  readonly portfolio: Portfolio;
  /** The primary account's broker. */
  readonly broker: PaperBroker;
  readonly strategies: StrategyManager;
  readonly loaded: LoadedData;
  readonly quality: SeriesQuality;
  /** How the run waits for its strategies: for all (data-driven), within a budget (replay), never (live). */
  readonly wait: WaitPolicy;
  readonly #processor: DataProcessor;
  readonly #stepper: Stepper;
  /** Symbols joining and subscriptions changing between two steps. */
  readonly #between: BetweenSteps;
  readonly #pacer: ReplayPacer | undefined;
  readonly #ticks: TickSchedule | undefined;
  readonly #o: EngineOptions;
  #inbox: LiveInbox | undefined;
  /** Bars of each source from its files, for a resumed run (the rest are its stored live bars). */
  readonly #historyCounts: readonly number[] | undefined;
  /** Commits each live step with the run's state (live runs with a store). */
  readonly #committer: LiveCommitter | undefined;
  /** The live feed's rejects, connection changes and end (undefined before a live run). */
  #feed: FeedWatch | undefined;
  readonly #lag = new LagStats();
  readonly #strategyTypes: readonly StrategyTypeRow[];
  #cancelled = false;
  readonly #gate = new PauseGate();
  /** Risk refusals and unknown refs, per strategy (see `SignalRouter.counts`). */
  readonly #routerCounts: RouterCounts;

  private constructor(o: EngineOptions, clock: TestClock, log: Logger, p: KernelParts) {
    this.#o = o;
    this.clock = clock;
    this.log = log;
    this.loaded = p.loaded;
    this.recorder = p.recorder;
    this.accounts = p.accounts;
    this.portfolio = p.accounts.primary.portfolio;
    this.broker = p.accounts.primary.broker;
    this.quality = p.quality;
    this.strategies = p.strategies;
    this.wait = p.wait;
    this.#processor = p.processor;
    this.#stepper = p.stepper;
    this.#routerCounts = p.router.counts;
    this.#between = p.between;
    this.#pacer = p.pacer;
    this.#ticks = p.ticks;
    // A run told to stop while paused must reach its next look at the abort signal: stopping resumes it.
    o.abort?.addEventListener('abort', () => this.resume(), { once: true });
    this.#historyCounts = p.historyCounts;
    this.#strategyTypes = p.strategyTypes;
    this.#committer =
      o.store && p.wait.mode === 'live'
        ? new LiveCommitter({ ...p, runId: o.runId, store: o.store, loaded: p.loaded })
        : undefined;
  }

  /** Loads the session's data and strategies, resolves subscriptions and runs each strategy's setup. */
  static async create(o: EngineOptions): Promise<Engine> {
    const clock = o.clock ?? new TestClock();
    const log = o.logger ?? silentLogger;
    const parts = await assembleKernel({
      session: o.session,
      runId: o.runId,
      clock,
      log,
      ...(o.store ? { store: o.store } : {}),
      ...(o.syncMode ? { syncMode: o.syncMode } : {}),
      ...(o.resume ? { liveBars: o.resume.bars } : {}),
      ...(o.events ? { events: o.events } : {}),
    });
    if (o.resume) restoreKernel(parts, o.resume);
    return new Engine(o, clock, log, parts);
  }

  /** Returns the run mode: data-driven, clock-driven (replay) or live. */
  get syncMode(): SyncMode {
    return this.wait.mode;
  }

  /** Returns the started strategies in registration order. */
  get runners(): readonly StrategyRunner[] {
    return this.strategies.runners;
  }

  /** Returns the strategies that did not start, with the reasons. */
  get failures(): readonly StrategyFailure[] {
    return this.strategies.failures;
  }

  /** Returns each strategy's state and processing figures, and the system-wide figures. */
  getMetrics(): EngineMetrics {
    return engineMetrics({
      strategies: this.strategies.metrics(),
      notStarted: this.failures.length,
      lag: this.#pacer?.lag ?? this.#lag.figures,
      backpressureEvents: this.strategies.backpressure.total,
      enginePaused: this.#gate.paused,
      feed: this.#feed?.figures ?? NO_FEED,
      latency: this.#stepper.latency.figures,
      router: this.#routerCounts,
    });
  }

  /** Returns the live latency histogram (bar arrival to order submitted), for Prometheus. */
  latencyHistogram(): ProcessingHistogram {
    return this.#stepper.latency.histogram();
  }

  /** Returns each strategy's type and accounts, for the plan-named Prometheus series. */
  strategyTypes(): readonly StrategyTypeRow[] {
    return this.#strategyTypes;
  }

  /** Returns a strategy's processing-time histogram (Prometheus), or undefined for an unknown name. */
  processingHistogram(name: string): ProcessingHistogram | undefined {
    return this.runners.find((r) => r.name === name)?.histogram();
  }

  /** Freezes the run between steps: no new bars are published, strategies idle, the replay clock stops. */
  pause(): void {
    if (this.#gate.pause()) this.#pacer?.pause();
  }

  /** Continues a paused run from the same timestamp. */
  resume(): void {
    // The held loop continues in a later microtask, after the replay clock has resumed too.
    if (this.#gate.resume()) this.#pacer?.resume();
  }

  /** Pauses one strategy (it receives no notifications until resumed); false for an unknown name. */
  pauseStrategy(name: string): boolean {
    return this.strategies.pause(name);
  }

  /** Resumes a paused strategy; false for an unknown name. */
  resumeStrategy(name: string): boolean {
    return this.strategies.resume(name);
  }

  /**
   * Adds a symbol to the session from a data source (the shape of a session config's `data` entry). In a
   * run, this happens between two steps: its bars up to the last step become warm-up history (in a live
   * run, all it loads), every strategy hears `onSymbolAdded` and states its subscriptions, and the
   * subscription map is rebuilt. Rejects with a TF_ERR_* error, changing nothing, for a bad source.
   */
  async addSymbol(source: unknown): Promise<JoinReport> {
    const d = parseWith(DataSourceSchema, source, { code: 'TF_ERR_CONFIG_INVALID', prefix: 'addSymbol' });
    return this.#between.addSymbol(d);
  }

  /**
   * Asks every strategy for its subscriptions now (`getSubscriptions()`) and routes the changed ones from
   * the next step on, building any aggregated series they need from the bars published so far.
   */
  updateSubscriptions(): Promise<void> {
    return this.#between.updateSubscriptions();
  }

  /** Ends a run that failed: changes waiting for a gap between steps fail with it. */
  #runFailed(e: unknown): never {
    this.#between.fail(e);
    throw e;
  }

  /** Returns the number of time steps run so far. */
  get steps(): number {
    return this.#stepper.steps;
  }

  /** Returns the time of the last step run (NaN before the first). */
  get lastStepMs(): number {
    return this.#stepper.lastTs;
  }

  /** Returns the number of steps that ended with a position open. */
  get exposureSteps(): number {
    return this.#stepper.exposureSteps;
  }

  /** Returns base bars published and in total. */
  get progress(): { done: number; total: number } {
    return { done: this.#processor.publishedBaseBars, total: this.#processor.totalBaseBars };
  }

  /** Returns true when the run was stopped before its data ended. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * Runs data-driven steps until the data ends or the abort signal fires; results gathered so far are kept.
   */
  async run(): Promise<void> {
    const o = this.#o;
    try {
      this.#cancelled = await runDataSteps(this.#loopParts(), {
        pacer: this.#pacer,
        every: o.progressEvery ?? PROGRESS_LOOK_STEPS,
        intervalMs: o.progressEvery === undefined ? PROGRESS_INTERVAL_MS : 0,
        abort: o.abort,
        onProgress: o.onProgress,
      });
    } catch (e) {
      this.#runFailed(e);
    }
  }

  /**
   * Runs live: the loaded history is published at once as warm-up (no steps, no trades), then each bar
   * the feed delivers is validated, appended to its symbol's series and stepped without waiting for
   * strategies. Ends when the feed ends, the abort signal fires or `stopLive` is called; `feedEnd` then
   * says how (a feed that gave up ends `failed`, and the run is `interrupted`).
   */
  async runLive(feed: BarFeed): Promise<void> {
    const inbox = new LiveInbox();
    const watch = new FeedWatch(this.log, feed.name);
    this.#inbox = inbox;
    this.#feed = watch;
    try {
      const counts = this.#historyCounts;
      this.#processor.publishHistory(
        (slot) => this.quality.onBar(slot.series),
        counts && ((id) => counts[id] ?? Number.POSITIVE_INFINITY),
      );
      // A resumed run's strategies see its committed steps again, to stand where they stood (no trading).
      const lastTs = this.#o.resume?.state?.lastTs;
      if (lastTs !== undefined) await warmUntil(this.#processor, this.#stepper, lastTs);
      if (this.#o.resume !== undefined) seedOrderBooks(this.accounts, this.strategies);
      const committer = this.#committer;
      committer?.start();
      this.#cancelled = await runLiveSteps(this.#loopParts(), {
        ...(committer ? { commitStep: () => committer.commit() } : {}),
        ...(this.#ticks ? { ticks: new LiveTicks(this.#ticks, this.#o.tickWall ?? WALL, inbox) } : {}),
        feed,
        inbox,
        loaded: this.loaded,
        lag: this.#lag,
        watch,
        abort: this.#o.abort,
      });
      // The inbox always ends before the loop does; its first end is the one that counts.
      if (inbox.ended) watch.ended(inbox.ended);
    } catch (e) {
      this.#runFailed(e);
    } finally {
      this.#inbox = undefined;
    }
  }

  /** Ends a live run after the bar in hand (as if the feed had ended). */
  stopLive(reason = 'stopped'): void {
    this.#inbox?.end({ outcome: 'stopped', reason });
  }

  /** Returns how the live feed ended (undefined before a live run ends, and in other runs). */
  get feedEnd(): FeedEnd | undefined {
    return this.#feed?.figures.end;
  }

  /** Returns how many live messages or bars were turned away, all kinds together. */
  get liveRejected(): number {
    const { rejected } = this.#feed?.figures ?? NO_FEED;
    return LIVE_REJECT_KINDS.reduce((n, k) => n + rejected[k], 0);
  }

  #loopParts(): LoopParts {
    return {
      processor: this.#processor,
      stepper: this.#stepper,
      between: this.#between,
      gate: this.#gate,
      sliceLimitMs: this.strategies.sliceLimitMs,
      ticks: this.#ticks,
    };
  }

  /** Runs every started strategy's teardown; errors are logged and shutdown goes on. */
  async stop(): Promise<void> {
    await this.strategies.stop();
  }
}
