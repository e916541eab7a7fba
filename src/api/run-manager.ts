// Starts, tracks and stops the API's screens and backtests: a cap on runs at once, and each run recorded
// in the progress store from start to final status.
import type { LoadedSession } from '../config/session-config.ts';
import type { Clock } from '../core/clock.ts';
import { isTradeflowError, TradeflowError } from '../core/errors.ts';
import { newRunId } from '../core/ids.ts';
import type { Logger } from '../core/logger.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import type { ServiceRunKind, ServiceRunStatus } from '../storage/service-run.ts';
import { runApiBacktest } from './backtest-runner.ts';
import { type RunControl, runScreen, type StopReason } from './screen-runner.ts';

/** What the run manager needs. */
export interface RunManagerDeps {
  readonly store: ProgressStore;
  readonly source: TickerSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sliceMs: number;
  readonly maxConcurrentRuns: number;
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
}

interface Ending {
  readonly status: ServiceRunStatus;
  readonly result?: unknown;
}

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

  /** Starts a backtest of a validated session. */
  startBacktest(session: LoadedSession): StartedRun {
    this.#admit();
    const runId = this.#newId(session.name);
    this.#d.store.createRun({
      id: runId,
      kind: 'backtest',
      strategy: session.name,
      parameters: session.config,
      tickers: session.config.data.map((d) => d.symbol),
      total: 0,
      createdAt: this.#d.clock.now(),
    });
    const abort = new AbortController();
    let reason: StopReason | undefined;
    const stop = (r: StopReason) => {
      reason ??= r;
      abort.abort();
    };
    const done = this.#launch(runId, 'backtest', stop, async () => {
      const result = await runApiBacktest({ runId, session }, this.#d, abort.signal);
      const status = result.status === 'cancelled' ? endingOf(reason ?? 'cancel') : 'completed';
      return { status, result };
    });
    return { runId, done };
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
  ): Promise<void> {
    const { store, clock, logger } = this.#d;
    store.transition(runId, 'running', clock.now());
    let settle: () => void = () => {};
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.#active.set(runId, { kind, stop, done });
    void (async () => {
      try {
        const end = await work();
        store.transition(
          runId,
          end.status,
          clock.now(),
          end.result === undefined ? {} : { result: end.result },
        );
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
