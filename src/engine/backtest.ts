// A data-driven backtest of a session in one call: load, set up, run every step, tear down, record.
import type { LoadedSession } from '../config/session-config.ts';
import { monotonicMs, type TestClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { RunStore } from '../storage/store.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import { Engine } from './kernel.ts';
import type { RunEvents } from './run-events.ts';
import type { TickWall } from './live-ticks.ts';
import type { ResumePlan } from './resume-restore.ts';
import { type RunFacts, runFacts } from './run-facts.ts';

/** Options of one backtest run. */
export interface BacktestOptions {
  readonly session: LoadedSession;
  readonly runId: string;
  /** Epoch ms the run is recorded as started at (from the caller's clock). */
  readonly startedAt: number;
  /** Returns the time the run is recorded as ended at. */
  readonly endedAt?: () => number;
  readonly store?: RunStore;
  readonly logger?: Logger;
  readonly clock?: TestClock;
  /** Progress during the run: every 100 ms or so, or every `progressEvery` steps (see `EngineOptions`). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly progressEvery?: number;
  readonly abort?: AbortSignal;
  /** Runs live on this feed (history is warm-up) instead of stepping through the loaded data. */
  readonly feed?: BarFeed;
  /** Goes on with a live run that stopped (with `feed`): its row goes back to running, its state is restored. */
  readonly resume?: ResumePlan;
  /** Receives the engine once it is built, before the run starts (metrics exporters). */
  readonly onEngine?: (engine: Engine) => void;
  /** Hears the run's events as they happen (see docs/events.md). */
  readonly events?: RunEvents;
  /** The wall time a live run's ticks follow (default: the real one; tests pass their own). */
  readonly tickWall?: TickWall;
}

/** What a backtest returns: the facts of the run, and its stopped engine for callers that look further. */
export interface BacktestRun {
  readonly facts: RunFacts;
  readonly engine: Engine;
}

/**
 * Runs a data-driven backtest of a session: load, set up, run every step, tear down, record. With a store,
 * the run is durable when this resolves: the store is flushed after the last step (`timings.runMs` includes
 * that wait, as a run is not done until its events are stored) and again after the run's end is recorded.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestRun> {
  const { session, store } = o;
  const t0 = monotonicMs();
  if (o.resume) store?.reopenRun(o.runId);
  else {
    store?.startRun({
      id: o.runId,
      name: session.name,
      kind: o.feed ? 'live' : o.session.config.speed_multiplier > 0 ? 'replay' : 'backtest',
      config: session.config,
      startedAt: o.startedAt,
    });
  }
  // A store that writes in the background reports here, before any work, that it cannot open its file or
  // start the run (and a run that did not start is not recorded as failed below).
  await store?.flush();
  let engine: Engine;
  let t1: number;
  let t2: number;
  try {
    engine = await Engine.create({
      session,
      runId: o.runId,
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
      ...(store ? { store } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.progressEvery === undefined ? {} : { progressEvery: o.progressEvery }),
      ...(o.abort ? { abort: o.abort } : {}),
      ...(o.feed ? { syncMode: 'live' as const } : {}),
      ...(o.resume ? { resume: o.resume } : {}),
      ...(o.events ? { events: o.events } : {}),
      ...(o.tickWall ? { tickWall: o.tickWall } : {}),
    });
    o.onEngine?.(engine);
    t1 = monotonicMs();
    try {
      if (o.feed) await engine.runLive(o.feed);
      else await engine.run();
      await store?.flush();
      t2 = monotonicMs();
    } finally {
      await engine.stop();
    }
  } catch (e) {
    await recordFailure(o, e);
    throw e;
  }
  const facts = runFacts(engine, {
    runId: o.runId,
    name: session.name,
    timings: { setupMs: t1 - t0, runMs: t2 - t1 },
  });
  // The stored run, like the stats, describes the primary account.
  store?.endRun(o.runId, {
    status: facts.status,
    endedAt: o.endedAt?.() ?? o.startedAt,
    ...(facts.error === undefined ? {} : { error: facts.error }),
    stats: facts.stats,
    openPositions: engine.portfolio.openPositions(),
  });
  await store?.flush();
  return { facts, engine };
}

/** Records that a run failed; a store that cannot record it is logged, so that the run's own error is the one thrown. */
async function recordFailure(o: BacktestOptions, e: unknown): Promise<void> {
  if (!o.store) return;
  try {
    o.store.endRun(o.runId, {
      status: 'failed',
      endedAt: o.endedAt?.() ?? o.startedAt,
      error: (e as Error).message,
    });
    await o.store.flush();
  } catch (storeError) {
    o.logger?.warn(
      `run ${o.runId} failed and could not be recorded as failed: ${(storeError as Error).message}`,
    );
  }
}
