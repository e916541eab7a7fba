// Starts, tracks and stops the API's screens and backtests: a cap on runs at once, each backtest in its own
// worker thread, and each run recorded in the progress store from start to final status.
import type { LoadedSession } from '../config/session-config.ts';
import { type Clock, WallClock } from '../core/clock.ts';
import { isTradeflowError, TradeflowError } from '../core/errors.ts';
import { newRunId } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import type { ServiceRunKind, ServiceRunStatus } from '../storage/service-run.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { RunThread, type ThreadEnd } from './run-thread.ts';
import { type RunControl, runScreen, type StopReason } from './screen-runner.ts';

/** What the run manager needs. */
export interface RunManagerDeps {
  readonly store: ProgressStore;
  readonly source: TickerSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sliceMs: number;
  readonly maxConcurrentRuns: number;
  /** The heap limit of each backtest's worker thread, in MiB. */
  readonly runHeapMb: number;
  /** How long a run may take to stop after a cancel or shutdown before its thread is terminated, in ms. */
  readonly stopGraceMs: number;
}

/** A run's memory as the API reports it, in MiB: its thread's heap now, its peak and its limit. */
export interface RunMemory {
  readonly heap_used_mb: number;
  readonly heap_peak_mb: number;
  readonly heap_limit_mb: number;
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
}

interface Ending {
  readonly status: ServiceRunStatus;
  readonly result?: unknown;
  readonly error?: string;
}

const mib = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

const endingOf = (how: 'completed' | StopReason): ServiceRunStatus =>
  how === 'completed' ? 'completed' : how === 'cancel' ? 'cancelled' : 'interrupted';

/**
 * Starts, tracks and stops the runs of one app: at most `maxConcurrentRuns` at once (one more is refused
 * with TF_ERR_TOO_MANY_RUNS), each recorded in the progress store from start to final status. A run's
 * loop lives here only while it runs; everything a client reads comes from the store.
 */
export class RunManager {
  readonly #d: RunManagerDeps;
  readonly #active = new Map<string, ActiveRun>();
  /** A warm backtest thread a finished run left, for the next request. */
  #idle: RunThread | undefined;
  #closing = false;

  constructor(deps: RunManagerDeps) {
    this.#d = deps;
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
    const job = {
      runId,
      screener: req.screener,
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
    const { store } = this.#d;
    const run = store.run(runId);
    if (run === undefined) throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no run "${runId}"`);
    if (run.kind !== 'screen') {
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `run "${runId}" is a backtest; a backtest cannot resume mid-way: POST /api/backtests again with its config`,
      );
    }
    if (run.status !== 'interrupted') {
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `run "${runId}" is ${run.status}; only an interrupted run resumes`,
      );
    }
    const screener = Object.hasOwn(screeners, run.strategy) ? screeners[run.strategy] : undefined;
    if (screener === undefined) {
      throw new TradeflowError(
        'TF_ERR_RUN_STATE',
        `run "${runId}" used screener "${run.strategy}", which this server lacks`,
      );
    }
    this.#admit();
    const config = screener.configSchema.parse(run.parameters);
    const from = store.lastPosition(runId) + 1;
    const job = {
      runId,
      screener,
      config,
      tickers: run.tickers,
      from,
      passed: run.passed,
      errors: run.errors,
    };
    return { runId, from, done: this.#launchScreen(job) };
  }

  /**
   * Returns a thread for one backtest request: the idle one a finished run left, warm, when there is one,
   * or a new one. The caller checks the request's strategies in it, then hands it to `startBacktest`, or
   * gives it back with `releaseThread`.
   */
  takeThread(): RunThread {
    const idle = this.#idle?.usable === true ? this.#idle : undefined;
    if (this.#idle !== undefined && idle === undefined) this.#idle.terminate();
    this.#idle = undefined;
    const thread = idle ?? new RunThread(this.#d.runHeapMb);
    thread.ref();
    return thread;
  }

  /**
   * Takes back a thread whose request or run is over: kept idle for the next request when it is alive and
   * none is kept yet (a fresh thread runs its first backtest several times slower), terminated otherwise.
   * Module state a strategy keeps at its top level therefore lives on into later runs in that thread, as
   * it would in one process.
   */
  releaseThread(thread: RunThread): void {
    if (thread.usable && this.#idle === undefined && !this.#closing) {
      thread.unref();
      this.#idle = thread;
    } else thread.terminate();
  }

  /**
   * Starts a backtest of a validated session in `thread` (from `takeThread`, its strategies checked): the
   * thread runs the engine and writes the run's events to the run database; progress comes back as
   * messages and is recorded here, so the progress rows have one writer.
   */
  startBacktest(session: LoadedSession, thread: RunThread): StartedRun {
    this.#admit();
    const { store, clock, logger } = this.#d;
    const runId = this.#newId(session.name);
    store.createRun({
      id: runId,
      kind: 'backtest',
      strategy: session.name,
      parameters: session.config,
      tickers: session.config.data.map((d) => d.symbol),
      total: 0,
      createdAt: clock.now(),
    });
    const eventsDb = store.path === ':memory:' || store.path === '' ? undefined : store.path;
    let reason: StopReason | undefined;
    const stop = (r: StopReason) => {
      reason ??= r;
      thread.stop();
    };
    const memory = (): RunMemory => {
      const h = thread.heap;
      return {
        heap_used_mb: mib(h.usedBytes),
        heap_peak_mb: mib(h.peakBytes),
        heap_limit_mb: mib(h.limitBytes),
      };
    };
    const done = this.#launch(
      runId,
      'backtest',
      stop,
      async () => {
        const end = await thread.run(
          { runId, session, eventsDb, startedAt: clock.now(), wallTime: clock instanceof WallClock },
          {
            stopGraceMs: this.#d.stopGraceMs,
            logger,
            onProgress: (completed, total) => {
              // Progress is for the user to watch; a failed write must not stop the run.
              try {
                store.updateProgress(runId, { completed, total, at: clock.now() });
              } catch (e) {
                logger.warn(`run ${runId}: progress not recorded: ${(e as Error).message}`);
              }
            },
          },
        );
        const used = memory();
        if (end.kind === 'died') {
          this.#closeEventsRun(eventsDb, runId, { status: 'failed', error: end.error });
        }
        if (end.kind !== 'terminated') this.releaseThread(thread);
        const ending = this.#backtestEnding(runId, end, reason, used);
        if (end.kind === 'terminated') this.#closeEventsRun(eventsDb, runId, ending);
        return ending;
      },
      memory,
    );
    return { runId, done };
  }

  /**
   * Throws TF_ERR_TOO_MANY_RUNS when no run slot is free: called before a request's costly checks, so a
   * request that would be refused is refused first (starting a run checks again).
   */
  ensureCapacity(): void {
    this.#admit();
  }

  /** Returns a run's memory while it runs in this app (a backtest's thread), or undefined. */
  memoryOf(runId: string): RunMemory | undefined {
    return this.#active.get(runId)?.memory?.();
  }

  /** Returns the ids of the runs in progress in this app, in the order they started. */
  activeRuns(): { readonly runId: string; readonly kind: ServiceRunKind }[] {
    return [...this.#active].map(([runId, r]) => ({ runId, kind: r.kind }));
  }

  /** How a backtest's thread ending is recorded: its result (with the run's memory), or why it has none. */
  #backtestEnding(
    runId: string,
    end: ThreadEnd,
    reason: StopReason | undefined,
    memory: RunMemory | undefined,
  ): Ending {
    switch (end.kind) {
      case 'result': {
        const result: Record<string, unknown> = { ...(end.result as Record<string, unknown>) };
        if (memory !== undefined) result['memory'] = memory;
        const status = result['status'] === 'cancelled' ? endingOf(reason ?? 'cancel') : 'completed';
        return { status, result };
      }
      case 'failed':
        throw new Error(end.error);
      case 'died':
        throw new TradeflowError('TF_ERR_RUN_ABORTED', `run "${runId}": ${end.error}`);
      case 'terminated':
        return {
          status: endingOf(reason ?? 'cancel'),
          error: `the run did not stop within ${this.#d.stopGraceMs} ms of being asked (a strategy that never returns or a setup that never settles); its thread was terminated, and the events it had stored are kept`,
        };
    }
  }

  /**
   * Ends the run's row among the run database's events, which its thread could not do itself. A row the
   * thread ended already (or never started) is refused by the store's own check, and left as it is.
   */
  #closeEventsRun(eventsDb: string | undefined, runId: string, ending: Ending): void {
    if (eventsDb === undefined) return;
    let events: SqliteStore | undefined;
    try {
      events = new SqliteStore(eventsDb);
      events.endRun(runId, {
        status:
          ending.status === 'cancelled' ? 'cancelled' : ending.status === 'failed' ? 'failed' : 'interrupted',
        endedAt: this.#d.clock.now(),
        ...(ending.error === undefined ? {} : { error: ending.error }),
      });
    } catch (e) {
      this.#d.logger.debug(`run ${runId}: its stored events were not closed here: ${(e as Error).message}`);
    } finally {
      events?.close();
    }
  }

  /**
   * Cancels a run: one in progress stops after its current ticker (a backtest at the engine's next
   * progress check) and this resolves once its final status is recorded; a queued or interrupted one is
   * marked cancelled. An ended run is refused with TF_ERR_RUN_STATE.
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
    this.#closing = true;
    this.#idle?.terminate();
    this.#idle = undefined;
    const runs = [...this.#active.values()];
    for (const r of runs) r.stop('interrupt');
    await Promise.all(runs.map((r) => r.done));
  }

  #launchScreen(job: Parameters<typeof runScreen>[0]): Promise<void> {
    const control: RunControl = { stop: undefined };
    const stop = (r: StopReason) => {
      control.stop ??= r;
    };
    return this.#launch(job.runId, 'screen', stop, async () => ({
      status: endingOf(await runScreen(job, this.#d, control)),
    }));
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
