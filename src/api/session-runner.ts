// One API session inside its run worker: a replay of the session's files at a pace, or a live run on a
// feed, recorded in the run database like a backtest; its engine answers snapshot and control requests.
import { createFeed } from '../data/feeds/feed-factory.ts';
import { runBacktest } from '../engine/backtest.ts';
import type { Engine } from '../engine/kernel.ts';
import { type SessionSnapshot, sessionSnapshot } from '../engine/session-snapshot.ts';
import type { Logger } from '../core/logger.ts';
import { type BacktestResult, backtestResult } from '../report/result.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import type { RunStore } from '../storage/store.ts';
import type { SessionAction, SessionJob, SessionReply } from './run-protocol.ts';

/** How many of the latest fills a snapshot holds. */
export const SNAPSHOT_FILLS = 20;

/** What a session's run ends with: the summary a backtest gives, and the session's last snapshot. */
export interface SessionOutcome {
  /** `cancelled` when it was stopped before its data or feed ended (as a backtest's result says). */
  readonly status: 'completed' | 'cancelled' | 'interrupted';
  readonly summary: BacktestResult;
  readonly snapshot: SessionSnapshot;
  readonly fillCount: number;
}

/** What a session needs around it. */
export interface SessionDeps {
  readonly logger: Logger;
  /** Stamps the run's end. */
  readonly now: () => number;
  /** Bars done of total (a live run's total grows), about every 100 ms. */
  readonly onProgress: (done: number, total: number) => void;
}

/**
 * A session in this thread: `run` builds its engine and runs it to its end (the data played out, the feed
 * ended, or `abort` fired); `answer` serves the server's requests meanwhile.
 */
export class SessionRunner {
  readonly #job: SessionJob;
  #engine: Engine | undefined;

  constructor(job: SessionJob) {
    this.#job = job;
  }

  /** Runs the session to its end; `abort` stops it after the step in hand, paused or not. */
  async run(deps: SessionDeps, abort: AbortSignal): Promise<SessionOutcome> {
    const job = this.#job;
    // A replay is the clock-driven run of the files (what speed_multiplier does); a live run takes its
    // bars from the feed, its files being warm-up history.
    const session =
      job.mode === 'replay'
        ? { ...job.session, config: { ...job.session.config, speed_multiplier: job.speed ?? 1 } }
        : job.session;
    const feed =
      job.mode === 'live'
        ? createFeed(job.session, {
            ...(job.feed === undefined ? {} : { feed: job.feed }),
            ...(job.speed === undefined ? {} : { speed: job.speed }),
          })
        : undefined;
    const events = job.eventsDb === undefined ? undefined : new SqliteStore(job.eventsDb);
    const store = events && endingAs(events, () => abort.aborted && abort.reason === 'interrupt');
    try {
      const run = await runBacktest({
        session,
        runId: job.runId,
        startedAt: job.startedAt,
        endedAt: deps.now,
        logger: deps.logger,
        abort,
        onProgress: deps.onProgress,
        ...(store ? { store } : {}),
        ...(feed ? { feed } : {}),
        // A paused engine resumes by itself when the abort fires, so that its run sees the stop.
        onEngine: (engine) => {
          this.#engine = engine;
        },
      });
      return {
        status: run.facts.status,
        summary: backtestResult(run.facts),
        snapshot: sessionSnapshot(run.engine, { fills: SNAPSHOT_FILLS }),
        fillCount: run.engine.recorder.fills.length,
      };
    } finally {
      events?.close();
    }
  }

  /** Answers a request: the snapshot, after acting on it when it is a control. */
  answer(action: SessionAction): SessionReply {
    const engine = this.#engine;
    if (engine === undefined) {
      return { ok: false, why: 'starting', message: 'the session is still loading its data and strategies' };
    }
    const known = (name: string) => engine.runners.some((r) => r.name === name);
    switch (action.kind) {
      case 'snapshot':
        break;
      case 'pause':
        engine.pause();
        break;
      case 'resume':
        engine.resume();
        break;
      case 'pause-strategy':
      case 'resume-strategy': {
        if (!known(action.strategy)) {
          const names = engine.runners.map((r) => r.name).join(', ');
          return {
            ok: false,
            why: 'unknown-strategy',
            message: `no strategy "${action.strategy}" runs in this session; its strategies: ${names}`,
          };
        }
        if (action.kind === 'pause-strategy') engine.pauseStrategy(action.strategy);
        else engine.resumeStrategy(action.strategy);
        break;
      }
    }
    return {
      ok: true,
      snapshot: sessionSnapshot(engine, { fills: SNAPSHOT_FILLS }),
      fillCount: engine.recorder.fills.length,
    };
  }
}

/**
 * The run database as a session writes to it: a session stopped by the server's shutdown ends its stored
 * run `interrupted`, as its row among the server's runs does, not `cancelled`.
 */
function endingAs(store: SqliteStore, interrupted: () => boolean): RunStore {
  return {
    startRun: (run) => store.startRun(run),
    writeBatch: (runId, batch) => store.writeBatch(runId, batch),
    writeStep: (runId, step) => store.writeStep(runId, step),
    readLive: (runId) => store.readLive(runId),
    reopenRun: (runId) => store.reopenRun(runId),
    endRun: (runId, end) =>
      store.endRun(
        runId,
        interrupted() && end.status === 'cancelled' ? { ...end, status: 'interrupted' } : end,
      ),
    readRun: (runId) => store.readRun(runId),
    readSkipped: (runId) => store.readSkipped(runId),
    listRuns: (options) => store.listRuns(options),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
