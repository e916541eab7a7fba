// The result of a run as `--json` prints it, `result.json` stores it and the API serves it: the JSON shapes,
// and how they are made from the run's facts.
import type { LoadReport } from '../data/loaders/load.ts';
import type { AccountFacts, MarkedPosition, RunFacts, RunKind } from '../engine/run-facts.ts';
import type { StrategyFailure, StrategyMetrics } from '../engine/kernel.ts';
import type { Order, Trade } from '../model/order.ts';
import type { EquityPoint, RunStats } from '../model/run.ts';
import { type FeedJson, feedJson } from './feed-json.ts';

/** A closed trade as printed in results (times ISO 8601 UTC). */
export interface TradeJson {
  readonly strategy: string;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  readonly quantity: number;
  readonly entry_time: string;
  readonly entry_price: number;
  readonly exit_time: string;
  readonly exit_price: number;
  readonly pnl: number;
  readonly commission: number;
  readonly bars: number;
}

/** An open position as printed in results. */
export interface PositionJson {
  readonly strategy: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly avg_price: number;
  readonly last_price: number;
}

/** One paper account's figures at the end of a run. */
export interface AccountJson {
  readonly name: string;
  readonly initial_cash: number;
  readonly final_value: number;
  readonly cash: number;
  /** Closed trades in this account. */
  readonly trades: number;
  readonly open_positions: readonly PositionJson[];
}

/** A strategy's processing figures, as the result keeps them and the CLI's table shows them. */
export interface StrategyFigures {
  /** Bar notifications handled. */
  readonly notifications: number;
  readonly signals: number;
  /** Errors of the strategy's hooks: exceptions, and values `onBars` returned that are not signals. */
  readonly errors: number;
  /** Values `onBars` returned that were not signals: each was dropped (never routed nor stored), and is in `errors` too. */
  readonly invalid_signals: number;
  /** Model inferences that threw, counted apart from `errors`. */
  readonly inference_errors: number;
  /** Time to handle a notification, over the timed ones (each of the first 256, then one in 16). */
  readonly avg_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /** Steps the engine moved past while the strategy was busy (replay and live). */
  readonly overruns: number;
  /** Notifications dropped from a full queue. */
  readonly dropped: number;
  /** Notifications still waiting in the strategy's queue at the end. */
  readonly queue_depth: number;
  readonly backpressure_events: number;
}

/** One strategy instance in the result: how it ended, where it ran, its figures and, if any, why it stopped. */
export interface StrategyJson extends StrategyFigures {
  readonly name: string;
  readonly status: 'ran' | 'faulted' | 'not_started';
  /** Where a started strategy ran. */
  readonly isolation?: 'inline' | 'thread';
  /** Why it ran there: its entry said so, or what the `auto` warm-up measured (a wall-time figure). */
  readonly placement?: string;
  /** Why it faulted or did not start. */
  readonly reason?: string;
}

/**
 * The result of a backtest as `--json` prints it and `result.json` stores it. The top-level figures
 * (cash, trades, positions, stats, orders, equity) are those of the primary account named by `account`;
 * `accounts` lists every account of the run.
 */
export interface BacktestResult {
  readonly run_id: string;
  readonly name: string;
  /** How the run was driven: `backtest` (over its bar files), `replay` (paced by a clock) or `live`. */
  readonly kind: RunKind;
  /** `interrupted`: a live run whose feed gave up (`error` says why). */
  readonly status: 'completed' | 'cancelled' | 'interrupted';
  /** Why the run did not complete (a live feed that gave up, naming its URL); absent otherwise. */
  readonly error?: string;
  /** The account the top-level figures describe: `default` when a strategy uses it, else the first used. */
  readonly account: string;
  readonly initial_cash: number;
  readonly final_value: number;
  readonly cash: number;
  readonly trades: readonly TradeJson[];
  readonly open_positions: readonly PositionJson[];
  readonly stats: Record<string, number | string | null>;
  readonly orders: {
    readonly total: number;
    readonly filled: number;
    readonly rejected: number;
    readonly cancelled: number;
  };
  readonly rejected_orders: readonly {
    id: number;
    strategy: string;
    symbol: string;
    side: string;
    quantity: number;
    time: string;
    reason: string;
    /** The rule that refused the order before it reached a broker (a risk limit, `duplicate_ref`). */
    rule?: string;
  }[];
  readonly strategies: readonly StrategyJson[];
  readonly data: readonly {
    symbol: string;
    file: string;
    format: string;
    interval: string;
    rows: number;
    skipped: number;
    problems: Readonly<Record<string, number>>;
  }[];
  readonly bars: number;
  readonly steps: number;
  readonly equity: readonly { time: string; equity: number; cash: number }[];
  readonly accounts: readonly AccountJson[];
  /** A live run's feed: how it ended, what it turned away, the latency to orders; absent otherwise. */
  readonly feed?: FeedJson;
}

/** Formats epoch ms as ISO 8601 UTC. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Converts a trade to its JSON shape. */
export function tradeJson(t: Trade): TradeJson {
  return {
    strategy: t.strategy,
    symbol: t.symbol,
    direction: t.direction > 0 ? 'long' : 'short',
    quantity: t.quantity,
    entry_time: iso(t.entryTime),
    entry_price: t.entryPrice,
    exit_time: iso(t.exitTime),
    exit_price: t.exitPrice,
    pnl: t.pnl,
    commission: t.commission,
    bars: t.bars,
  };
}

/** Converts stats to snake_case JSON (Infinity becomes null, timestamps ISO). */
export function statsJson(s: RunStats): Record<string, number | string | null> {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  const time = (x: number | null) => (x === null ? null : iso(x));
  return {
    initial_value: s.initialValue,
    final_value: s.finalValue,
    total_return: s.totalReturn,
    cagr: num(s.cagr),
    sharpe: num(s.sharpe),
    sortino: num(s.sortino),
    max_drawdown: s.maxDrawdown,
    max_drawdown_peak: time(s.maxDrawdownPeakTs),
    max_drawdown_trough: time(s.maxDrawdownTroughTs),
    max_drawdown_recovery: time(s.maxDrawdownRecoveryTs),
    trade_count: s.tradeCount,
    win_rate: s.winRate,
    profit_factor: num(s.profitFactor),
    exposure: s.exposure,
    bars: s.bars,
  };
}

/** Summarises orders by final status and lists the rejected ones with their reasons. */
export function ordersJson(orders: readonly Order[]): Pick<BacktestResult, 'orders' | 'rejected_orders'> {
  const count = (st: Order['status']) => orders.filter((o) => o.status === st).length;
  return {
    orders: {
      total: orders.length,
      filled: count('filled'),
      rejected: count('rejected'),
      cancelled: count('cancelled'),
    },
    rejected_orders: orders
      .filter((o) => o.status === 'rejected')
      .map((o) => ({
        id: o.id,
        strategy: o.strategy,
        symbol: o.symbol,
        side: o.side,
        quantity: o.quantity,
        time: iso(o.tsClosed ?? o.tsCreated),
        reason: o.reason ?? '',
        ...(o.riskRule === undefined ? {} : { rule: o.riskRule }),
      })),
  };
}

/** Converts open positions, with the last price they are marked at. */
export function positionsJson(positions: readonly MarkedPosition[]): BacktestResult['open_positions'] {
  return positions.map((p) => ({
    strategy: p.strategy,
    symbol: p.symbol,
    quantity: p.quantity,
    avg_price: p.avgPrice,
    last_price: p.lastPrice,
  }));
}

/** Converts equity points. */
export function equityJson(points: readonly EquityPoint[]): BacktestResult['equity'] {
  return points.map((p) => ({ time: iso(p.ts), equity: p.equity, cash: p.cash }));
}

/** Converts an account's figures at the end of a run. */
export function accountJson(a: AccountFacts): AccountJson {
  return {
    name: a.name,
    initial_cash: a.initialCash,
    final_value: a.finalValue,
    cash: a.cash,
    trades: a.trades.length,
    open_positions: positionsJson(a.openPositions),
  };
}

/** Returns a started strategy's figures from its metrics. */
export function strategyFigures(m: StrategyMetrics): StrategyFigures {
  return {
    notifications: m.notifications,
    signals: m.signals,
    errors: m.errors,
    invalid_signals: m.invalidSignals,
    inference_errors: m.inferenceErrors,
    avg_ms: m.avgMs,
    p99_ms: m.p99Ms,
    max_ms: m.maxMs,
    overruns: m.overruns,
    dropped: m.dropped,
    queue_depth: m.queueDepth,
    backpressure_events: m.backpressureEvents,
  };
}

/** The figures of a strategy that did not start: it handled nothing. */
export const NOT_STARTED_FIGURES: StrategyFigures = {
  notifications: 0,
  signals: 0,
  errors: 0,
  invalid_signals: 0,
  inference_errors: 0,
  avg_ms: 0,
  p99_ms: 0,
  max_ms: 0,
  overruns: 0,
  dropped: 0,
  queue_depth: 0,
  backpressure_events: 0,
};

/** Lists the strategies that started, in registration order, then those that did not start. */
export function strategiesJson(
  started: readonly StrategyMetrics[],
  failures: readonly StrategyFailure[],
): BacktestResult['strategies'] {
  return [
    ...started.map((m): StrategyJson => ({
      name: m.name,
      status: m.status === 'faulted' ? 'faulted' : 'ran',
      isolation: m.isolation,
      placement: m.placement,
      ...strategyFigures(m),
      ...(m.faultReason === undefined ? {} : { reason: m.faultReason }),
    })),
    ...failures.map((f): StrategyJson => ({
      name: f.name,
      status: 'not_started',
      ...NOT_STARTED_FIGURES,
      reason: f.reason,
    })),
  ];
}

/** Converts what loading a data source found. */
export function dataJson(r: LoadReport): BacktestResult['data'][number] {
  return {
    symbol: r.symbol,
    file: r.file,
    format: r.format,
    interval: r.interval,
    rows: r.rows,
    skipped: r.skipped,
    problems: r.problems,
  };
}

/** Shapes the facts of a run into its result; the top-level figures are the primary account's. */
export function backtestResult(f: RunFacts): BacktestResult {
  const { primary } = f;
  const feed = feedJson(f.metrics.system);
  return {
    run_id: f.runId,
    name: f.name,
    kind: f.kind,
    status: f.status,
    ...(f.error === undefined ? {} : { error: f.error }),
    account: primary.name,
    initial_cash: primary.initialCash,
    final_value: primary.finalValue,
    cash: primary.cash,
    trades: primary.trades.map(tradeJson),
    open_positions: positionsJson(primary.openPositions),
    stats: statsJson(f.stats),
    ...ordersJson(f.orders),
    strategies: strategiesJson(f.metrics.strategies, f.failures),
    data: f.data.map(dataJson),
    bars: f.bars,
    steps: f.steps,
    equity: equityJson(f.equity),
    accounts: f.accounts.map(accountJson),
    ...(feed ? { feed } : {}),
  };
}
