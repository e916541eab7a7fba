// Starts, tracks and stops the API's screens and backtests: a cap on runs at once, each run in its own
// worker thread, and each run recorded in the progress store from start to final status.
import type { LoadedSession } from '../config/session-config.ts';
import { type Clock, WallClock } from '../core/clock.ts';
import { isTradeflowError, TradeflowError } from '../core/errors.ts';
import { newRunId } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import { screenerRef } from '../screener/registry.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import type { ServiceRunKind } from '../storage/service-run.ts';
import { type Ending, type RunMemory, runBacktestInThread, runMemory } from './backtest-in-thread.ts';
import { IdleThreads } from './idle-threads.ts';
import type { RunJob, SessionAction, SessionJob, SessionReply } from './run-protocol.ts';
import type { RunThread } from './run-thread.ts';
import { resumeJob, runScreenInThread } from './screen-in-thread.ts';
import type { ScreenJob, StopReason } from './screen-runner.ts';

/** What the run manager needs. */
export interface RunManagerDeps {
  readonly store: ProgressStore;
  /** The screens' ticker source: its spec goes to each screen's thread, which builds it there. */
  readonly source: TickerSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxConcurrentRuns: number;
  /** The heap limit of each run's worker thread, in MiB. */
  readonly runHeapMb: number;
  /** How long a run may take to stop after a cancel or shutdown before its thread is terminated, in ms. */
  readonly stopGraceMs: number;
}

/** A run started or resumed: its id, and a promise that settles once its final status is recorded. */
export interface StartedRun {
  readonly runId: string;
  readonly done: Promise<void>;
}

interface ActiveRun {
  readonly kind: ServiceRunKind;
  stop(reason: StopReason): void;
  readonly done: Promise<void>;
  memory?(): RunMemory | undefined;
  /** A session's requests (see RunThread.ask). */
  ask?(action: SessionAction, timeoutMs: number): Promise<SessionReply | undefined>;
}

/**
 * Starts, tracks and stops the runs of one app: at most `maxConcurrentRuns` at once (one more is refused
 * with TF_ERR_TOO_MANY_RUNS), each recorded in the progress store from start to final status. A run's
 * loop lives here only while it runs; everything a client reads comes from the store.
 */
export class RunManager {
  readonly #d: RunManagerDeps;
  readonly #active = new Map<string, ActiveRun>();
  readonly #threads: IdleThreads;

  constructor(deps: RunManagerDeps) {
    this.#d = deps;
    this.#threads = new IdleThreads(deps.runHeapMb);
  }

  /** Returns the number of runs in progress in this app. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Starts a screen of `tickers` with validated parameters. */
  startScreen(req: { screener: ScreenerStrategy; config: unknown; tickers: readonly string[] }): StartedRun {
    this.#admit();
    const runId = this.#newId(req.screener.name);
    this.#d.store.createRun({
      id: runId,
      kind: 'screen',
      strategy: req.screener.name,
      parameters: req.config,
      tickers: req.tickers,
      total: req.tickers.length,
      createdAt: this.#d.clock.now(),
    });
    const job: ScreenJob = {
      runId,
      screener: screenerRef(req.screener),
      source: this.#d.source.spec,
      config: req.config,
      tickers: req.tickers,
      from: 0,
      passed: 0,
      errors: 0,
    };
    return { runId, done: this.#launchScreen(job) };
  }

  /** Resumes an interrupted screen right after the last ticker it recorded; returns that position. */
  resumeScreen(
    runId: string,
    screeners: Readonly<Record<string, ScreenerStrategy>>,
  ): StartedRun & { from: number } {
    const job = resumeJob(this.#d.store, runId, screeners, this.#d.source.spec);
    this.#admit();
    return { runId, from: job.from, done: this.#launchScreen(job) };
  }

  /**
   * Returns a thread for one backtest request (see IdleThreads.take). The caller checks the request's
   * strategies in it, then hands it to `startBacktest`, or gives it back with `releaseThread`.
   */
  takeThread(): RunThread {
    return this.#threads.take();
  }

  /** Starts a backtest thread ahead of the first request (see IdleThreads.prestart). */
  prestartThread(): void {
    this.#threads.prestart();
  }

  /** Takes back a thread whose request or run is over (see IdleThreads.release). */
  releaseThread(thread: RunThread): void {
    this.#threads.release(thread);
  }

  /**
   * Starts a backtest of a validated session in `thread` (from `takeThread`, its strategies checked): the
   * thread runs the engine and writes the run's events to the run database; progress comes back as
   * messages and is recorded here, so the progress rows have one writer.
   */
  startBacktest(session: LoadedSession, thread: RunThread): StartedRun {
    return this.startInThread(session, thread, { kind: 'backtest', parameters: session.config });
  }

  /**
   * Starts a run of a validated session in `thread`, as `startBacktest` does: a backtest, or a live or
   * replay session (`session` says how its bars arrive). `parameters` is what the run's row keeps.
   */
  startInThread(
    session: LoadedSession,
    thread: RunThread,
    o: {
      readonly kind: 'backtest' | 'live' | 'replay';
      readonly parameters: unknown;
      readonly session?: Pick<SessionJob, 'speed' | 'feed'>;
    },
  ): StartedRun {
    this.#admit();
    const { store, clock, logger } = this.#d;
    const runId = this.#newId(session.name);
    store.createRun({
      id: runId,
      kind: o.kind,
      strategy: session.name,
      parameters: o.parameters,
      tickers: session.config.data.map((d) => d.symbol),
      total: 0,
      createdAt: clock.now(),
    });
    const eventsDb = store.path === ':memory:' || store.path === '' ? undefined : store.path;
    let reason: StopReason | undefined;
    const stop = (r: StopReason) => {
      reason ??= r;
      thread.stop(r);
    };
    const run: RunJob = {
      runId,
      session,
      eventsDb,
      startedAt: clock.now(),
      wallTime: clock instanceof WallClock,
    };
    const job: RunJob | SessionJob = o.kind === 'backtest' ? run : { ...run, mode: o.kind, ...o.session };
    const done = this.#launch(
      runId,
      o.kind,
      stop,
      () =>
        runBacktestInThread({
          thread,
          job,
          deps: { store, clock, logger, stopGraceMs: this.#d.stopGraceMs },
          reason: () => reason,
          release: (t) => this.releaseThread(t),
        }),
      () => runMemory(thread),
    );
    if (o.kind !== 'backtest') {
      const active = this.#active.get(runId);
      if (active) active.ask = (action, timeoutMs) => thread.ask(action, timeoutMs);
    }
    return { runId, done };
  }

  /**
   * Asks a session running in this app for its snapshot or to act (see RunThread.ask); undefined when no
   * session of that id runs here.
   */
  askSession(
    runId: string,
    action: SessionAction,
    timeoutMs: number,
  ): Promise<SessionReply | undefined> | undefined {
    return this.#active.get(runId)?.ask?.(action, timeoutMs);
  }

  /**
   * Throws TF_ERR_TOO_MANY_RUNS when no run slot is free: called before a request's costly checks, so a
   * request that would be refused is refused first (starting a run checks again).
   */
  ensureCapacity(): void {
    this.#admit();
  }

  /** Returns a run's memory while it runs in this app (its thread's heap), or undefined. */
  memoryOf(runId: string): RunMemory | undefined {
    return this.#active.get(runId)?.memory?.();
  }

  /** Returns the ids of the runs in progress in this app, in the order they started. */
  activeRuns(): { readonly runId: string; readonly kind: ServiceRunKind }[] {
    return [...this.#active].map(([runId, r]) => ({ runId, kind: r.kind }));
  }

  /**
   * Cancels a run: one in progress stops after its current ticker (a backtest at the engine's next
   * progress check), or has its thread terminated when it has not stopped within the grace period, and
   * this resolves once its final status is recorded; a queued or interrupted one is marked cancelled. An
   * ended run is refused with TF_ERR_RUN_STATE.
   */
  async cancel(runId: string): Promise<void> {
    const active = this.#active.get(runId);
    if (active) {
      active.stop('cancel');
      await active.done;
      return;
    }
    this.#d.store.transition(runId, 'cancelled', this.#d.clock.now());
  }

  /** Stops every run in progress as interrupted (they stay resumable) and waits for them. */
  async close(): Promise<void> {
    this.#threads.close();
    const runs = [...this.#active.values()];
    for (const r of runs) r.stop('interrupt');
    await Promise.all(runs.map((r) => r.done));
  }

  /** Runs a screen in a thread of its own (the idle one when there is one): see runScreenInThread. */
  #launchScreen(job: ScreenJob): Promise<void> {
    const { store, clock, logger, stopGraceMs } = this.#d;
    const thread = this.#threads.take();
    let reason: StopReason | undefined;
    const stop = (r: StopReason) => {
      reason ??= r;
      thread.stop(r);
    };
    return this.#launch(
      job.runId,
      'screen',
      stop,
      () =>
        runScreenInThread({
          thread,
          job,
          deps: { store, clock, logger, stopGraceMs },
          reason: () => reason,
          stop: () => stop('cancel'),
          release: (t) => this.releaseThread(t),
        }),
      () => runMemory(thread),
    );
  }

  /** Marks the run running, tracks it while `work` runs, then records how it ended (failed if it threw). */
  #launch(
    runId: string,
    kind: ServiceRunKind,
    stop: (r: StopReason) => void,
    work: () => Promise<Ending>,
    memory?: () => RunMemory | undefined,
  ): Promise<void> {
    const { store, clock, logger } = this.#d;
    store.transition(runId, 'running', clock.now());
    let settle: () => void = () => {};
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.#active.set(runId, { kind, stop, done, ...(memory ? { memory } : {}) });
    void (async () => {
      try {
        const end = await work();
        store.transition(runId, end.status, clock.now(), {
          ...(end.result === undefined ? {} : { result: end.result }),
          ...(end.error === undefined ? {} : { error: end.error }),
        });
      } catch (e) {
        const error = isTradeflowError(e)
          ? `${e.code}: ${e.message}`
          : e instanceof Error
            ? e.message
            : String(e);
        try {
          store.transition(runId, 'failed', clock.now(), { error });
        } catch (storeError) {
          logger.error(
            `run ${runId} failed (${error}) and could not be recorded: ${(storeError as Error).message}`,
          );
        }
      } finally {
        this.#active.delete(runId);
        settle();
      }
    })();
    return done;
  }

  #admit(): void {
    const max = this.#d.maxConcurrentRuns;
    if (this.#active.size < max) return;
    const ids = [...this.#active.keys()];
    throw new TradeflowError(
      'TF_ERR_TOO_MANY_RUNS',
      `${ids.length} ${ids.length === 1 ? 'run is' : 'runs are'} in progress, the most this server runs at once (${max}); wait for one to finish ` +
        `or cancel one (POST /api/strategies/runs/<id>/cancel): ${ids.join(', ')}`,
    );
  }

  #newId(name: string): string {
    const base = newRunId(name, this.#d.clock.now());
    let id = base;
    for (let n = 2; this.#d.store.has(id); n++) id = `${base}-${n}`;
    return id;
  }
}
