// What a finished run yields: plain values read off the stopped engine, for the store, the result and the
// reports to use without reaching into the engine.
import type { LoadReport } from '../data/loaders/load.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { Order, Position, Trade } from '../model/order.ts';
import type { EquityPoint, RunStats } from '../model/run.ts';
import { computeStats } from '../model/run-stats.ts';
import type { Engine, EngineMetrics, StrategyFailure, SyncMode } from './kernel.ts';

/** A position still open at the end of a run, with the last close it is marked at (NaN before any bar). */
export interface MarkedPosition extends Position {
  readonly lastPrice: number;
}

/** One paper account at the end of a run. */
export interface AccountFacts {
  readonly name: string;
  readonly initialCash: number;
  /** Cash plus open positions marked at each symbol's last close. */
  readonly finalValue: number;
  readonly cash: number;
  /** Closed trades, in the order they closed. */
  readonly trades: readonly Trade[];
  readonly openPositions: readonly MarkedPosition[];
}

/** How a run was driven, as its result and its summary name it. */
export type RunKind = 'backtest' | 'replay' | 'live';

/** Returns the kind of run a wait mode belongs to. */
export function runKindOf(mode: SyncMode): RunKind {
  return mode === 'data' ? 'backtest' : mode === 'clock' ? 'replay' : 'live';
}

/** Wall time spent on a run (for benchmarks; not part of the result). */
export interface RunTimings {
  /** Starting the record, loading and setting up. */
  readonly setupMs: number;
  /** Running the steps until their events are stored. */
  readonly runMs: number;
}

/**
 * The facts of a finished run. The equity curve, the stats and the orders are the primary account's (the
 * one `primary` describes); `accounts` lists every account, the primary one first.
 */
export interface RunFacts {
  readonly runId: string;
  readonly name: string;
  /** How the run was driven: over its bar files (`backtest`), paced by a clock (`replay`) or by a feed (`live`). */
  readonly kind: RunKind;
  /** `interrupted`: a live run whose feed gave up (lost and not regained within its reconnect policy). */
  readonly status: 'completed' | 'cancelled' | 'interrupted';
  /** Why the run did not complete: the reason its live feed gave (naming its URL). */
  readonly error?: string;
  readonly primary: AccountFacts;
  readonly stats: RunStats;
  /** The primary account's orders, by id. */
  readonly orders: readonly Order[];
  /** The primary account's value at the end of each trading day, and once more at the end. */
  readonly equity: readonly EquityPoint[];
  readonly accounts: readonly AccountFacts[];
  /** The engine's figures once it stopped: per started strategy, and system-wide. */
  readonly metrics: EngineMetrics;
  /** The strategies that did not start, with the reasons. */
  readonly failures: readonly StrategyFailure[];
  /** What loading each data source found, in config order. */
  readonly data: readonly LoadReport[];
  /** Base bars published (all data sources together). */
  readonly bars: number;
  readonly steps: number;
  readonly timings: RunTimings;
}

/** Reads the facts of a run off its engine once it has stopped, and computes the primary account's stats. */
export function runFacts(
  engine: Engine,
  o: { readonly runId: string; readonly name: string; readonly timings: RunTimings },
): RunFacts {
  const { recorder, portfolio, loaded } = engine;
  const symbolId = new Map(loaded.symbols.map((s, i) => [s, i]));
  // Every account marks the same bars; positions are priced at the primary account's last closes.
  const lastPrice = (s: string) => portfolio.lastClose(symbolId.get(s) ?? -1);
  const account = (p: Portfolio): AccountFacts => ({
    name: p.account,
    initialCash: p.initialCash,
    finalValue: p.equity(),
    cash: p.cash,
    trades: recorder.tradesOf(p.account),
    openPositions: p.openPositions().map((pos) => ({ ...pos, lastPrice: lastPrice(pos.symbol) })),
  });
  const primary = account(portfolio);
  const end = engine.feedEnd;
  const failed = !engine.cancelled && end?.outcome === 'failed';
  return {
    runId: o.runId,
    name: o.name,
    kind: runKindOf(engine.syncMode),
    status: engine.cancelled ? 'cancelled' : failed ? 'interrupted' : 'completed',
    ...(failed ? { error: end.reason } : {}),
    primary,
    stats: computeStats({
      equity: recorder.equity,
      trades: primary.trades,
      initialValue: primary.initialCash,
      exposureSteps: engine.exposureSteps,
      totalSteps: engine.steps,
      bars: engine.progress.done,
    }),
    orders: recorder.orders.filter((order) => order.account === portfolio.account),
    equity: [...recorder.equity],
    accounts: engine.accounts.all.map(({ portfolio: p }) => account(p)),
    metrics: engine.getMetrics(),
    failures: [...engine.failures],
    data: loaded.sources.map((s) => s.report),
    bars: engine.progress.done,
    steps: engine.steps,
    timings: o.timings,
  };
}
