import { DataSourceSchema, type LoadedSession } from '../config/session-config.ts';
import { TestClock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { parseWith } from '../core/zod-errors.ts';
import type { TradingCalendar } from '../data/calendar.ts';
import type { PaperBroker } from '../execution/paper-broker.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { Interval } from '../model/interval.ts';
import type { StrategyContext } from '../strategy/base-strategy.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';
import type { RunStore } from '../storage/store.ts';
import { AccountBook, accountsInUse } from './accounts.ts';
import type { DataProcessor } from './data-processor.ts';
import { startStrategies } from './strategy-start.ts';
import { SeriesQuality } from './series-quality.ts';
import { RunRecorder } from './recorder.ts';
import { BetweenSteps } from './between-steps.ts';
import { type EngineMetrics, engineMetrics } from './engine-metrics.ts';
import { inlineContext } from '../strategy/host/context.ts';
import { type GrowingData, type LoadedData, loadSessionData } from './session-builder.ts';
import type { JoinReport } from './symbol-join.ts';
import { SignalRouter } from './signal-router.ts';
import { Stepper } from './stepper.ts';
import { LagStats, LiveInbox } from './live.ts';
import { type LoopParts, PauseGate, runDataSteps, runLiveSteps } from './run-loops.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import { ReplayPacer } from './pacer.ts';
import {
  type Runner,
  type StrategyFailure,
  StrategyManager,
  type SyncMode,
} from '../strategy/host/strategy-manager.ts';

export type { StrategyFailure, StrategyMetrics, SyncMode } from '../strategy/host/strategy-manager.ts';
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
}

/**
 * The kernel: wires data, strategies, paper accounts (each a broker and a portfolio) and the recorder,
 * and runs time steps. The order inside a step is fixed: publish base bars (fills at their open, then
 * marks at their close, account by account), publish aggregated bars that close, notify subscribed
 * strategies, route their signals in registration order, then record equity. The same order in every
 * mode keeps runs reproducible.
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
  #processor!: DataProcessor;
  #router: SignalRouter;
  #contexts = new Map<Runner, StrategyContext>();
  readonly #o: EngineOptions;
  #activeStepper: Stepper | undefined;
  #inbox: LiveInbox | undefined;
  #liveRejected = 0;
  readonly #lag = new LagStats();
  #cancelled = false;
  readonly #gate = new PauseGate();
  readonly #pacer: ReplayPacer | undefined;
  /** Symbols joining and subscriptions changing between two steps. */
  readonly #between: BetweenSteps;
  /** How the processor waits for strategies: every step (data-driven), a time budget (replay), never (live). */
  readonly syncMode: SyncMode;

  private constructor(o: EngineOptions, loaded: GrowingData) {
    this.#o = o;
    this.clock = o.clock ?? new TestClock();
    this.log = o.logger ?? silentLogger;
    this.loaded = loaded;
    this.recorder = new RunRecorder(o.store ? { runId: o.runId, store: o.store } : { runId: o.runId });
    this.accounts = new AccountBook({
      terms: accountsInUse(o.session.config),
      symbols: loaded.symbols,
      sink: (account) => ({
        onOrder: (order) => this.recorder.onOrder(order),
        onFill: (fill) => {
          this.recorder.onFill(fill);
          // A thread strategy mirrors the position it reads, which is the one in its first account.
          if (this.accounts.home(fill.strategy).name === account)
            this.strategies.onPosition(fill.strategy, fill.symbol);
        },
        onTrade: (trade) => this.recorder.onTrade(trade),
      }),
    });
    this.portfolio = this.accounts.primary.portfolio;
    this.broker = this.accounts.primary.broker;
    this.#router = new SignalRouter(this.accounts, this.recorder, this.log);
    this.quality = new SeriesQuality();
    const speed = o.session.config.speed_multiplier;
    this.syncMode = o.syncMode ?? (speed > 0 ? 'clock' : 'data');
    this.#pacer = speed > 0 ? new ReplayPacer(speed) : undefined;
    this.#between = new BetweenSteps({
      session: o.session,
      staged: loaded.staged,
      deps: () => ({
        loaded,
        processor: this.#processor,
        quality: this.quality,
        accounts: this.accounts,
        strategies: this.strategies,
        log: this.log,
      }),
      lastStep: () => {
        const last = this.#activeStepper?.lastTs ?? Number.NaN;
        return last === last ? last : Number.NEGATIVE_INFINITY;
      },
      live: this.syncMode === 'live',
      pacer: this.#pacer,
      log: this.log,
    });
    this.strategies = new StrategyManager({
      log: this.log,
      symbols: loaded.symbols,
      series: () => loaded.data.descriptors(),
      calendars: o.session.config.data
        .filter((d) => d.join_at === undefined)
        .map((d) => ({ symbol: d.symbol, spec: d.calendar })),
      quality: (symbol, interval) => this.quality.get(symbol, interval as Interval, this.clock.now()),
      cash: (strategy) => this.accounts.home(strategy).portfolio.cash,
      position: (strategy, symbol) => this.accounts.home(strategy).portfolio.position(strategy, symbol),
      now: () => this.clock.now(),
    });
  }

  /** Returns the started strategies in registration order. */
  get runners(): readonly Runner[] {
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
    });
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

  /** Loads the session's data and strategies, resolves subscriptions and runs each strategy's setup. */
  static async create(o: EngineOptions): Promise<Engine> {
    const loaded = loadSessionData(o.session);
    const engine = new Engine(o, loaded);
    engine.#processor = await startStrategies({
      session: o.session,
      loaded,
      accounts: engine.accounts,
      quality: engine.quality,
      strategies: engine.strategies,
      contextOf: (runner) => engine.#contextOf(runner),
    });
    return engine;
  }

  #contextOf(runner: Runner): StrategyContext {
    let ctx = this.#contexts.get(runner);
    if (!ctx) {
      ctx = this.#contextFor(runner);
      this.#contexts.set(runner, ctx);
    }
    return ctx;
  }

  #calendarOf(symbol: string): TradingCalendar {
    const source = this.loaded.sources.find((s) => s.symbol === symbol);
    if (!source) throw new TradeflowError('TF_ERR_SUBSCRIPTION', `no data source provides ${symbol}`);
    return source.calendar;
  }

  #contextFor(runner: Runner): StrategyContext {
    return inlineContext({
      name: runner.name,
      log: this.log,
      data: this.loaded.data,
      subscribes: (key) => this.strategies.subscribes(runner, key),
      quality: (symbol, interval) => this.quality.get(symbol, interval, this.clock.now()),
      calendarOf: (symbol) => this.#calendarOf(symbol),
      // Positions and cash are read from the strategy's first account (its home); others only take orders.
      home: this.accounts.home(runner.name).portfolio,
      now: () => this.clock.now(),
    });
  }

  /** Returns the number of time steps run so far. */
  get steps(): number {
    return this.#activeStepper?.steps ?? 0;
  }

  /** Returns the number of steps that ended with a position open. */
  get exposureSteps(): number {
    return this.#activeStepper?.exposureSteps ?? 0;
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
   * strategies. Ends when the feed ends, the abort signal fires or `stopLive` is called.
   */
  async runLive(feed: BarFeed): Promise<void> {
    const inbox = new LiveInbox();
    this.#inbox = inbox;
    try {
      this.#processor.publishHistory((slot) => this.quality.onBar(slot.series));
      this.#cancelled = await runLiveSteps(this.#loopParts(), {
        feed,
        inbox,
        loaded: this.loaded,
        lag: this.#lag,
        log: this.log,
        abort: this.#o.abort,
        onRejected: () => this.#liveRejected++,
      });
    } catch (e) {
      this.#runFailed(e);
    } finally {
      this.#inbox = undefined;
    }
  }

  /** Ends a live run after the bar in hand (as if the feed had ended). */
  stopLive(reason = 'stopped'): void {
    this.#inbox?.end(reason);
  }

  /** Returns how many live messages or bars were refused (bad message, bad bar, unknown symbol). */
  get liveRejected(): number {
    return this.#liveRejected;
  }

  #loopParts(): LoopParts {
    this.#activeStepper = new Stepper({
      processor: this.#processor,
      strategies: this.strategies,
      accounts: this.accounts.all,
      recorder: this.recorder,
      clock: this.clock,
      quality: this.quality,
      router: this.#router,
      calendar: this.loaded.sources[0]!.calendar,
      mode: this.syncMode,
      pacer: this.#pacer,
    });
    return {
      processor: this.#processor,
      stepper: this.#activeStepper,
      between: this.#between,
      gate: this.#gate,
    };
  }

  /** Runs every started strategy's teardown; errors are logged and shutdown goes on. */
  async stop(): Promise<void> {
    await this.strategies.stop((runner) => this.#contextOf(runner));
  }
}
