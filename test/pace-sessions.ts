// Paced sessions for the replay and backpressure tests: zigzag minute bars run through the pace probe,
// and readers of the metrics and trades they give.
import { resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { monotonicMs } from '../src/core/clock.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import { Engine, type EngineMetrics, type StrategyMetrics, type SyncMode } from '../src/engine/kernel.ts';
import { tempFiles } from './helpers.ts';

/** The fixture project root: its strategies/ holds the engine tests' strategies, pace_probe among them. */
export const FIXTURE_ROOT = resolve(import.meta.dirname, 'fixtures/project');
export const MIN = 60_000;
/** The first bar's open time: 2024-01-02 00:00 UTC, so that short sessions stay within one UTC day. */
export const T0 = Date.UTC(2024, 0, 2);

/**
 * Returns the ohlcv text of `count` 1m bars from T0, `spacingMs` apart, zigzagging around 100 (shifted by
 * `seed`) so that the pace probe both buys and closes.
 */
function zigzagCsv(count: number, seed: number, spacingMs: number): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const open = 100 + ((i * 7 + seed * 3) % 11);
    const close = open + 0.5;
    const time = new Date(T0 + i * spacingMs).toISOString().slice(0, 19).replace('T', ' ');
    return `${time},${open},${close + 0.25},${open - 0.25},${close},${100 + i}`;
  });
  return ['timestamp,open,high,low,close,volume', ...rows].join('\n') + '\n';
}

/** One strategy entry of a pace session; the config is merged over `{ symbols: ['X'], interval: '1m' }`. */
export interface PaceEntry {
  readonly name: string;
  /** A module under the fixture root's strategies/; `pace_probe` by default. */
  readonly module?: string;
  readonly isolation?: 'auto' | 'thread' | 'inline';
  readonly queue_size?: number;
  readonly step_timeout_ms?: number;
  readonly on_queue_full?: 'block' | 'drop_oldest';
  readonly on_backpressure?: 'warn' | 'pause';
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * Builds a session over 1m bars (temp ohlcv files, UTC, 24h calendar) running fixture strategies, at
 * `speed` (0, a data-driven backtest, by default). `bars` is the number of bars of the one symbol X, or the
 * number per symbol; bars are `spacingMs` apart (a minute by default). Strategies run in threads unless
 * their entry says otherwise: these sessions test the thread machinery (a config's own default is `auto`).
 */
export function paceSession(o: {
  readonly bars: number | Readonly<Record<string, number>>;
  readonly spacingMs?: number;
  readonly speed?: number;
  readonly strategies: readonly PaceEntry[];
}): LoadedSession {
  const counts = typeof o.bars === 'number' ? { X: o.bars } : o.bars;
  const symbols = Object.keys(counts);
  const dir = tempFiles(
    Object.fromEntries(symbols.map((s, k) => [`${s}.csv`, zigzagCsv(counts[s]!, k, o.spacingMs ?? MIN)])),
  );
  const config = parseSessionConfig({
    name: 'pace-test',
    speed_multiplier: o.speed ?? 0,
    data: symbols.map((symbol) => ({
      symbol,
      file: resolve(dir, `${symbol}.csv`),
      format: 'ohlcv',
      calendar: '24h',
      interval: '1m',
    })),
    strategies: o.strategies.map(({ module, config, ...entry }) => ({
      isolation: 'thread',
      ...entry,
      module: `strategies/${module ?? 'pace_probe'}`,
      config: { symbols: ['X'], interval: '1m', ...config },
    })),
  });
  return { config, name: 'pace-test', file: resolve(FIXTURE_ROOT, 'pace-test.json'), root: FIXTURE_ROOT };
}

/** What `runEngine` returns: the stopped engine, its log, the wall time of `run()` and the final metrics. */
export interface EngineRun {
  readonly engine: Engine;
  readonly log: MemoryLogger;
  readonly runMs: number;
  readonly metrics: EngineMetrics;
}

/** Builds an engine for the session, runs it and stops it; `onProgress` receives the engine too. */
export async function runEngine(
  session: LoadedSession,
  o: {
    readonly syncMode?: SyncMode;
    readonly progressEvery?: number;
    readonly onProgress?: (engine: Engine, done: number) => void;
  } = {},
): Promise<EngineRun> {
  const log = new MemoryLogger();
  const { onProgress } = o;
  const engine: Engine = await Engine.create({
    session,
    runId: 'pace',
    logger: log,
    ...(o.syncMode === undefined ? {} : { syncMode: o.syncMode }),
    ...(o.progressEvery === undefined ? {} : { progressEvery: o.progressEvery }),
    // Called during run(), once `engine` is assigned.
    ...(onProgress === undefined ? {} : { onProgress: (done: number) => onProgress(engine, done) }),
  });
  const t0 = monotonicMs();
  let runMs: number;
  try {
    await engine.run();
    runMs = monotonicMs() - t0;
  } finally {
    // Threads finish their queues here: metrics read afterwards are final.
    await engine.stop();
  }
  return { engine, log, runMs, metrics: engine.getMetrics() };
}

/** Returns the named strategy's metrics; throws when it did not start. */
export function metricsOf(run: { readonly metrics: EngineMetrics }, name: string): StrategyMetrics {
  const m = run.metrics.strategies.find((s) => s.name === name);
  if (!m) throw new Error(`no metrics for strategy ${name}`);
  return m;
}

/**
 * Returns what one strategy traded: its orders, fills, round trips and signals with their times. Order and
 * fill ids are left out: they number the events of all strategies together.
 */
export function tradesOf(engine: Engine, strategy: string) {
  const { recorder } = engine;
  const mine = <T extends { readonly strategy: string }>(xs: readonly T[]) =>
    xs.filter((x) => x.strategy === strategy);
  return {
    orders: mine(recorder.orders).map(({ id: _id, ...o }) => o),
    fills: mine(recorder.fills).map(({ id: _id, orderId: _orderId, ...f }) => f),
    trades: mine(recorder.trades).map(({ id: _id, ...t }) => t),
    signals: mine(recorder.signals).map(({ orderId: _orderId, ...r }) => r),
  };
}

/** Returns the backpressure warnings that name `strategy`. */
export function pressureWarnings(log: MemoryLogger, strategy: string): string[] {
  return log.records
    .filter((r) => r.level === 'warn' && r.msg.startsWith(`backpressure: strategy ${strategy}:`))
    .map((r) => r.msg);
}

/** The system figures that summarise the per-strategy figures. */
export interface SystemSummary {
  readonly strategiesTotal: number;
  readonly active: number;
  readonly paused: number;
  readonly faulted: number;
  readonly totalSignals: number;
  readonly slowestStrategy: string | null;
  readonly backpressureEvents: number;
}

/** Returns the summary figures as `getMetrics().system` reports them. */
export function reportedSummary(metrics: EngineMetrics): SystemSummary {
  const { strategiesTotal, active, paused, faulted, totalSignals, slowestStrategy, backpressureEvents } =
    metrics.system;
  return { strategiesTotal, active, paused, faulted, totalSignals, slowestStrategy, backpressureEvents };
}

/** Returns the summary figures computed from the per-strategy figures and the number of strategies that did not start. */
export function summaryOfStrategies(metrics: EngineMetrics, notStarted: number): SystemSummary {
  const s = metrics.strategies;
  const count = (status: StrategyMetrics['status']) => s.filter((m) => m.status === status).length;
  // The first of the largest averages, as a stable sort keeps it.
  const slowest = [...s].sort((a, b) => b.avgMs - a.avgMs)[0];
  return {
    strategiesTotal: s.length + notStarted,
    active: count('running'),
    paused: count('paused'),
    faulted: count('faulted'),
    totalSignals: s.reduce((n, m) => n + m.signals, 0),
    slowestStrategy: slowest?.name ?? null,
    backpressureEvents: s.reduce((n, m) => n + m.backpressureEvents, 0),
  };
}
