import type { LoadedSession } from '../config/session-config.ts';
import { monotonicMs, type TestClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { computeStats } from '../model/run-stats.ts';
import type { RunStats } from '../model/run.ts';
import type { RunStore } from '../storage/store.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import { Engine } from './kernel.ts';
import {
  type BacktestResult,
  equityJson,
  ordersJson,
  positionsJson,
  statsJson,
  tradeJson,
} from './result.ts';

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
  /** Receives the engine once it is built, before the run starts (metrics exporters). */
  readonly onEngine?: (engine: Engine) => void;
}

/** What a backtest returns: the printable result and the raw stats (for reports). */
export interface BacktestOutcome {
  readonly result: BacktestResult;
  readonly stats: RunStats;
  readonly engine: Engine;
  /**
   * Wall time spent starting the record, loading and setting up, and running the steps until their events
   * are stored (for benchmarks; not part of the result).
   */
  readonly timings: { readonly setupMs: number; readonly runMs: number };
}

/**
 * Runs a data-driven backtest of a session: load, set up, run every step, tear down, record. With a store,
 * the run is durable when this resolves: the store is flushed after the last step (`runMs` includes that
 * wait, as a run is not done until its events are stored) and again after the run's end is recorded.
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestOutcome> {
  const { session, store } = o;
  const t0 = monotonicMs();
  store?.startRun({
    id: o.runId,
    name: session.name,
    kind: o.feed ? 'live' : o.session.config.speed_multiplier > 0 ? 'replay' : 'backtest',
    config: session.config,
    startedAt: o.startedAt,
  });
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
  const { recorder, portfolio, loaded } = engine;
  // The top-level figures, the stats and the stored run describe the primary account; `accounts` lists all.
  const positions = portfolio.openPositions();
  const trades = recorder.tradesOf(portfolio.account);
  const stats = computeStats({
    equity: recorder.equity,
    trades,
    initialValue: portfolio.initialCash,
    exposureSteps: engine.exposureSteps,
    totalSteps: engine.steps,
    bars: engine.progress.done,
  });
  const status = engine.cancelled ? 'cancelled' : 'completed';
  store?.endRun(o.runId, { status, endedAt: o.endedAt?.() ?? o.startedAt, stats, openPositions: positions });
  await store?.flush();
  const symbolId = new Map(loaded.symbols.map((s, i) => [s, i]));
  const lastPrice = (s: string) => portfolio.lastClose(symbolId.get(s) ?? -1);
  const result: BacktestResult = {
    run_id: o.runId,
    name: session.name,
    status,
    account: portfolio.account,
    initial_cash: portfolio.initialCash,
    final_value: portfolio.equity(),
    cash: portfolio.cash,
    trades: trades.map(tradeJson),
    open_positions: positionsJson(positions, lastPrice),
    stats: statsJson(stats),
    ...ordersJson(recorder.orders.filter((order) => order.account === portfolio.account)),
    strategies: [
      ...engine.getMetrics().strategies.map((m) => ({
        name: m.name,
        status: m.status === 'faulted' ? ('faulted' as const) : ('ran' as const),
        isolation: m.isolation,
        notifications: m.notifications,
        signals: m.signals,
        errors: m.errors,
        inference_errors: m.inferenceErrors,
        ...(m.faultReason === undefined ? {} : { reason: m.faultReason }),
      })),
      ...engine.failures.map((f) => ({
        name: f.name,
        status: 'not_started' as const,
        notifications: 0,
        signals: 0,
        errors: 0,
        inference_errors: 0,
        reason: f.reason,
      })),
    ],
    data: loaded.sources.map((s) => ({
      symbol: s.symbol,
      file: s.report.file,
      format: s.report.format,
      interval: s.report.interval,
      rows: s.report.rows,
      skipped: s.report.skipped,
      problems: s.report.problems,
    })),
    bars: engine.progress.done,
    steps: engine.steps,
    equity: equityJson(recorder.equity),
    accounts: engine.accounts.all.map(({ portfolio: p }) => ({
      name: p.account,
      initial_cash: p.initialCash,
      final_value: p.equity(),
      cash: p.cash,
      trades: recorder.tradesOf(p.account).length,
      open_positions: positionsJson(p.openPositions(), lastPrice),
    })),
  };
  return { result, stats, engine, timings: { setupMs: t1 - t0, runMs: t2 - t1 } };
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
