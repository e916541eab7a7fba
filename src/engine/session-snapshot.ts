// What a running session looks like at one moment, as plain JSON: the terminal view of `tradeflow live`
// and `tradeflow replay`, and the HTTP API's sessions, show the same figures from this one shape.
import type { Fill } from '../model/order.ts';
import type { StrategyState } from '../strategy/host/lifecycle.ts';
import type { Engine, SyncMode, SystemMetrics } from './kernel.ts';

/** An open position with its last price and the gain or loss not yet realized. */
export interface PositionView {
  readonly strategy: string;
  readonly symbol: string;
  /** Signed shares: positive long, negative short. */
  readonly quantity: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
}

/** One paper account: its cash, its equity (cash plus positions at their last price) and its positions. */
export interface AccountView {
  readonly name: string;
  readonly cash: number;
  readonly equity: number;
  readonly positions: readonly PositionView[];
}

/** A strategy's state and main figures. */
export interface StrategyView {
  readonly name: string;
  /** running, paused or faulted (stopped once torn down). */
  readonly status: string;
  readonly state: StrategyState;
  readonly isolation: string;
  readonly notifications: number;
  readonly signals: number;
  readonly errors: number;
  readonly overruns: number;
  readonly avgMs: number;
  readonly p99Ms: number;
  readonly faultReason?: string;
}

/** A session at one moment. */
export interface SessionSnapshot {
  /** `live`, `clock` (a replay) or `data`. */
  readonly mode: SyncMode;
  readonly paused: boolean;
  readonly steps: number;
  /** The close time of the last bar stepped (epoch ms), or null before the first step. */
  readonly lastBarMs: number | null;
  /** Base bars published and in all (a live run's total grows as bars arrive). */
  readonly progress: { readonly done: number; readonly total: number };
  /** The primary account's cash and equity (the result's top-level figures describe it). */
  readonly cash: number;
  readonly equity: number;
  readonly accounts: readonly AccountView[];
  readonly strategies: readonly StrategyView[];
  /** The latest fills, newest last. */
  readonly recentFills: readonly Fill[];
  readonly system: SystemMetrics;
}

/** Options of `sessionSnapshot`. */
export interface SnapshotOptions {
  /** How many of the latest fills to include (default 10). */
  readonly fills?: number;
}

/** Reads a session's state from its engine; call between steps (any event-loop turn is between steps). */
export function sessionSnapshot(engine: Engine, o: SnapshotOptions = {}): SessionSnapshot {
  const symbols = engine.loaded.symbols;
  const accounts = engine.accounts.all.map((a): AccountView => {
    const positions = a.portfolio.openPositions().map((p): PositionView => {
      const lastPrice = a.portfolio.lastClose(symbols.indexOf(p.symbol));
      return { ...p, lastPrice, unrealizedPnl: (lastPrice - p.avgPrice) * p.quantity };
    });
    return { name: a.name, cash: a.portfolio.cash, equity: a.portfolio.equity(), positions };
  });
  const metrics = engine.getMetrics();
  const fills = engine.recorder.fills;
  const last = engine.lastStepMs;
  return {
    mode: engine.syncMode,
    paused: metrics.system.enginePaused,
    steps: engine.steps,
    lastBarMs: last === last ? last : null,
    progress: engine.progress,
    cash: engine.portfolio.cash,
    equity: engine.portfolio.equity(),
    accounts,
    strategies: metrics.strategies.map((m) => ({
      name: m.name,
      status: m.status,
      state: m.state,
      isolation: m.isolation,
      notifications: m.notifications,
      signals: m.signals,
      errors: m.errors,
      overruns: m.overruns,
      avgMs: m.avgMs,
      p99Ms: m.p99Ms,
      ...(m.faultReason === undefined ? {} : { faultReason: m.faultReason }),
    })),
    recentFills: fills.slice(Math.max(0, fills.length - (o.fills ?? 10))),
    system: metrics.system,
  };
}
