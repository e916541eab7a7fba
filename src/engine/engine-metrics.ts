// The figures `engine.getMetrics()` returns: each strategy's own, and the system-wide ones made from them.
import type { StrategyMetrics } from '../strategy/host/strategy-metrics.ts';
import type { FeedFigures } from './feed-watch.ts';
import type { LatencyFigures } from './latency.ts';
import type { RiskRejections, RouterCounts } from './router-counts.ts';

/** System-wide figures of a run. */
export interface SystemMetrics {
  readonly strategiesTotal: number;
  readonly active: number;
  readonly paused: number;
  readonly faulted: number;
  readonly totalSignals: number;
  /** How late steps started against the replay schedule (0 in a data-driven backtest). */
  readonly avgLagMs: number;
  readonly maxLagMs: number;
  readonly slowestStrategy: string | null;
  readonly backpressureEvents: number;
  readonly enginePaused: boolean;
  /** A live run's feed: messages and bars turned away per kind, reconnects, and how it ended (all 0 otherwise). */
  readonly feed: FeedFigures;
  /** A live run: from a bar's arrival at the feed adapter to each order its signals submit. */
  readonly liveLatency: LatencyFigures;
  /** Orders refused before a broker, per strategy and rule (risk limits, `duplicate_ref`); absent when none was. */
  readonly riskRejections?: readonly RiskRejections[];
}

/** What `engine.getMetrics()` returns. */
export interface EngineMetrics {
  readonly strategies: readonly StrategyMetrics[];
  readonly system: SystemMetrics;
}

/** What the system-wide figures are made of. */
export interface EngineMetricsInput {
  readonly strategies: readonly StrategyMetrics[];
  /** Strategies loaded that did not start. */
  readonly notStarted: number;
  readonly lag: { readonly avgMs: number; readonly maxMs: number };
  readonly backpressureEvents: number;
  readonly enginePaused: boolean;
  readonly feed: FeedFigures;
  readonly latency: LatencyFigures;
  /**
   * The router's counts: refusals per strategy and rule, and CANCEL or REPLACE signals naming no order,
   * which count among the strategy's `invalidSignals`.
   */
  readonly router?: RouterCounts;
}

/** Adds the system-wide figures to the strategies' own. */
export function engineMetrics(o: EngineMetricsInput): EngineMetrics {
  const { router } = o;
  const strategies = router ? o.strategies.map((m) => withUnknownRefs(m, router)) : o.strategies;
  const rejections = router?.rejections() ?? [];
  const slowest = strategies.reduce<StrategyMetrics | undefined>(
    (a, m) => (a === undefined || m.avgMs > a.avgMs ? m : a),
    undefined,
  );
  return {
    strategies,
    system: {
      strategiesTotal: strategies.length + o.notStarted,
      active: strategies.filter((m) => m.status === 'running').length,
      paused: strategies.filter((m) => m.status === 'paused').length,
      faulted: strategies.filter((m) => m.status === 'faulted').length,
      totalSignals: strategies.reduce((n, m) => n + m.signals, 0),
      avgLagMs: o.lag.avgMs,
      maxLagMs: o.lag.maxMs,
      slowestStrategy: slowest?.name ?? null,
      backpressureEvents: o.backpressureEvents,
      enginePaused: o.enginePaused,
      feed: o.feed,
      liveLatency: o.latency,
      ...(rejections.length > 0 ? { riskRejections: rejections } : {}),
    },
  };
}

/** Adds a strategy's CANCEL and REPLACE signals that named no order to its invalid signals. */
function withUnknownRefs(m: StrategyMetrics, router: RouterCounts): StrategyMetrics {
  const unknown = router.unknownRefsOf(m.name);
  return unknown === 0 ? m : { ...m, invalidSignals: m.invalidSignals + unknown };
}
