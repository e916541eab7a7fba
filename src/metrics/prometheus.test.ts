import { join, resolve } from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { NO_FEED } from '../engine/feed-watch.ts';
import { NO_LATENCY } from '../engine/latency.ts';
import { type LoadedSession, parseSessionConfig } from '../config/session-config.ts';
import { MemoryLogger } from '../core/logger.ts';
import { runBacktest } from '../engine/backtest.ts';
import type { EngineMetrics, StrategyMetrics } from '../engine/kernel.ts';
import { METRICS_SLOTS, MetricsWriter, readHistogram } from '../strategy/host/metrics.ts';
import { type MetricsSource, PrometheusExporter } from './prometheus.ts';
import { type Family, parsePrometheusText } from '../../test/prometheus-text.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Two daily symbols; two thread strategies and one inline one. */
const SESSION: LoadedSession = {
  config: parseSessionConfig(
    {
      data: [
        { symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' },
        { symbol: 'NVDA', file: 'data/daily/nvda-1999-2014.txt' },
      ],
      strategies: [
        {
          module: 'strategies/examples/simple_ma_cross',
          isolation: 'thread',
          config: { symbols: ['ORCL', 'NVDA'], fast_period: 10, slow_period: 30 },
        },
        { module: 'strategies/examples/rsi', isolation: 'inline', config: { symbols: ['ORCL'] } },
        { module: 'strategies/examples/buy_and_hold', isolation: 'thread', config: { symbols: ['NVDA'] } },
      ],
    },
    'metrics',
  ),
  name: 'metrics',
  file: join(ROOT, 'metrics.json'),
  root: ROOT,
};

/** Returns the value of the one sample named so (in any family) with exactly these labels. */
function valueOf(
  families: ReadonlyMap<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === Object.keys(labels).length &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  expect(matches, `${name}${JSON.stringify(labels)}`).toHaveLength(1);
  return matches[0]?.value ?? Number.NaN;
}

/** A strategy's figures with defaults (for sources other than a real engine). */
function strategy(name: string, o: Partial<StrategyMetrics> = {}): StrategyMetrics {
  return {
    name,
    isolation: 'inline',
    status: 'running',
    state: 'running',
    placement: 'test',
    subscriptions: [['X', '1d']],
    queueDepth: 0,
    backpressureEvents: 0,
    notifications: 0,
    signals: 0,
    kind: 'rules',
    errors: 0,
    invalidSignals: 0,
    inferenceErrors: 0,
    overruns: 0,
    dropped: 0,
    avgMs: 0,
    p99Ms: 0,
    maxMs: 0,
    ...o,
  };
}

/** Engine figures for these strategies, with the system part derived as the engine does. */
function figures(...strategies: StrategyMetrics[]): EngineMetrics {
  return {
    strategies,
    system: {
      strategiesTotal: strategies.length,
      active: strategies.filter((s) => s.status === 'running').length,
      paused: strategies.filter((s) => s.status === 'paused').length,
      faulted: strategies.filter((s) => s.status === 'faulted').length,
      totalSignals: strategies.reduce((n, s) => n + s.signals, 0),
      avgLagMs: 1.5,
      maxLagMs: 12,
      slowestStrategy: strategies[0]?.name ?? null,
      backpressureEvents: 0,
      enginePaused: false,
      feed: NO_FEED,
      liveLatency: NO_LATENCY,
    },
  };
}

const PER_STRATEGY: readonly [string, (m: StrategyMetrics) => number][] = [
  ['tradeflow_strategy_notifications_total', (m) => m.notifications],
  ['tradeflow_strategy_signals_total', (m) => m.signals],
  ['tradeflow_strategy_overruns_total', (m) => m.overruns],
  ['tradeflow_strategy_dropped_total', (m) => m.dropped],
  ['tradeflow_strategy_backpressure_events_total', (m) => m.backpressureEvents],
  ['tradeflow_strategy_queue_depth', (m) => m.queueDepth],
  ['tradeflow_strategy_processing_p99_seconds', (m) => m.p99Ms / 1000],
  ['tradeflow_strategy_processing_max_seconds', (m) => m.maxMs / 1000],
  ['tradeflow_strategy_degraded', (m) => (m.degraded === undefined ? 0 : 1)],
];

describe('PrometheusExporter over a real engine', () => {
  it('exports every strategy by name with the figures engine.getMetrics() reports, before and after the run', async () => {
    const exporter = new PrometheusExporter();
    let before: Promise<string> | undefined;
    const { engine } = await runBacktest({
      session: SESSION,
      runId: 'metrics-run',
      startedAt: 0,
      logger: new MemoryLogger(),
      onEngine: (e) => {
        exporter.attach(e);
        // The reading is taken when metrics() is called: here, after setup and before the first step.
        before = exporter.metrics();
      },
    });
    const start = parsePrometheusText((await before) ?? '');
    const families = parsePrometheusText(await exporter.metrics());
    const { strategies, system } = engine.getMetrics();

    expect(strategies.map((m) => [m.name, m.isolation])).toEqual([
      ['simple_ma_cross', 'thread'],
      ['rsi', 'inline'],
      ['buy_and_hold', 'thread'],
    ]);
    for (const m of strategies) {
      const labels = { strategy: m.name, type: 'rules' };
      expect(valueOf(start, 'tradeflow_strategy_notifications_total', labels)).toBe(0);
      expect(m.notifications, m.name).toBeGreaterThan(3000);
      expect(m.signals, m.name).toBeGreaterThan(0);
      for (const [name, read] of PER_STRATEGY) expect(valueOf(families, name, labels), name).toBe(read(m));
      expect(
        valueOf(families, 'tradeflow_strategy_errors_total', { ...labels, category: 'processing' }),
      ).toBe(m.errors);
    }
    expect(families.get('tradeflow_strategy_errors_total')?.samples).toHaveLength(3);
    expect(families.get('tradeflow_strategy_processing_seconds')?.type).toBe('histogram');

    expect(valueOf(families, 'tradeflow_strategies', { type: 'rules' })).toBe(3);
    expect(valueOf(families, 'tradeflow_strategies', { type: 'ml' })).toBe(0);
    expect(valueOf(families, 'tradeflow_strategies', { type: 'hybrid' })).toBe(0);
    expect(valueOf(families, 'tradeflow_strategies_active')).toBe(system.active);
    expect(system.active).toBe(3);
    expect(valueOf(families, 'tradeflow_strategies_paused')).toBe(0);
    expect(valueOf(families, 'tradeflow_strategies_faulted')).toBe(0);
    expect(valueOf(families, 'tradeflow_lag_avg_seconds')).toBe(system.avgLagMs / 1000);
    expect(valueOf(families, 'tradeflow_lag_max_seconds')).toBe(system.maxLagMs / 1000);
    expect(valueOf(families, 'tradeflow_engine_paused')).toBe(0);
  });
});

describe('PrometheusExporter', () => {
  it('labels strategies with the kind the engine reports and splits errors by category', async () => {
    const source: MetricsSource = {
      getMetrics: () =>
        figures(
          strategy('trend', { errors: 2 }),
          strategy('model', {
            kind: 'ml',
            errors: 1,
            invalidSignals: 0,
            inferenceErrors: 4,
            degraded: 'the model did not load',
          }),
          strategy('blend', { kind: 'hybrid', status: 'faulted' }),
        ),
    };
    const exporter = new PrometheusExporter({ source });
    const families = parsePrometheusText(await exporter.metrics());
    for (const type of ['rules', 'ml', 'hybrid'])
      expect(valueOf(families, 'tradeflow_strategies', { type })).toBe(1);
    const errors = families.get('tradeflow_strategy_errors_total')?.samples ?? [];
    expect(
      errors.map((s) => [s.labels['strategy'], s.labels['type'], s.labels['category'], s.value]),
    ).toEqual([
      ['trend', 'rules', 'processing', 2],
      ['model', 'ml', 'processing', 1],
      ['model', 'ml', 'ml_inference', 4],
      ['blend', 'hybrid', 'processing', 0],
      ['blend', 'hybrid', 'ml_inference', 0],
    ]);
    expect(valueOf(families, 'tradeflow_strategies_faulted')).toBe(1);
    const degraded = families.get('tradeflow_strategy_degraded')?.samples ?? [];
    expect(degraded.map((s) => [s.labels['strategy'], s.value])).toEqual([
      ['trend', 0],
      ['model', 1],
      ['blend', 0],
    ]);
    expect(valueOf(families, 'tradeflow_lag_max_seconds')).toBe(0.012);

    const split = new PrometheusExporter({
      source,
      errorsOf: (m) => ({ processing: m.errors, ml_inference: m.name === 'trend' ? 0 : 3 }),
    });
    const again = parsePrometheusText(await split.metrics());
    expect(
      again
        .get('tradeflow_strategy_errors_total')
        ?.samples.map((s) => [s.labels['strategy'], s.labels['category'], s.value]),
    ).toEqual([
      ['trend', 'processing', 2],
      ['trend', 'ml_inference', 0],
      ['model', 'processing', 1],
      ['model', 'ml_inference', 3],
      ['blend', 'processing', 0],
      ['blend', 'ml_inference', 3],
    ]);
  });

  it("maps a strategy's processing-time bins to the histogram when the source offers them", async () => {
    const block = new Float64Array(METRICS_SLOTS);
    const w = new MetricsWriter(block);
    for (const ms of [0.0005, 0.003, 0.003, 1]) w.notification(ms, 0);
    const source: MetricsSource = {
      getMetrics: () => figures(strategy('timed'), strategy('untimed')),
      processingHistogram: (name) => (name === 'timed' ? readHistogram(block) : undefined),
    };
    const families = parsePrometheusText(await new PrometheusExporter({ source }).metrics());
    const labels = { strategy: 'timed', type: 'rules' };
    const bucket = (le: string) =>
      valueOf(families, 'tradeflow_strategy_processing_seconds_bucket', { ...labels, le });
    expect([
      bucket('0.000001'),
      bucket('0.000002'),
      bucket('0.000004'),
      bucket('0.001024'),
      bucket('+Inf'),
    ]).toEqual([1, 1, 3, 4, 4]);
    expect(valueOf(families, 'tradeflow_strategy_processing_seconds_count', labels)).toBe(4);
    expect(valueOf(families, 'tradeflow_strategy_processing_seconds_sum', labels)).toBeCloseTo(0.0010065, 12);
    const series = families.get('tradeflow_strategy_processing_seconds')?.samples ?? [];
    expect(series.some((s) => s.labels['strategy'] === 'untimed')).toBe(false);
  });

  it('exports no strategy and zero system gauges before an engine is attached', async () => {
    const families = parsePrometheusText(await new PrometheusExporter().metrics());
    expect(families.get('tradeflow_strategy_signals_total')?.samples).toEqual([]);
    for (const type of ['rules', 'ml', 'hybrid'])
      expect(valueOf(families, 'tradeflow_strategies', { type })).toBe(0);
    expect(valueOf(families, 'tradeflow_strategies_active')).toBe(0);
  });

  it("keeps its own registry: exporters side by side export their own engines, prom-client's global one stays empty", async () => {
    const one = new PrometheusExporter({
      source: { getMetrics: () => figures(strategy('a', { signals: 1 })) },
    });
    const two = new PrometheusExporter({
      source: { getMetrics: () => figures(strategy('b', { signals: 2 })) },
    });
    const [a, b] = [parsePrometheusText(await one.metrics()), parsePrometheusText(await two.metrics())];
    expect(
      a.get('tradeflow_strategy_signals_total')?.samples.map((s) => [s.labels['strategy'], s.value]),
    ).toEqual([['a', 1]]);
    expect(
      b.get('tradeflow_strategy_signals_total')?.samples.map((s) => [s.labels['strategy'], s.value]),
    ).toEqual([['b', 2]]);
    expect(await globalRegistry.metrics()).not.toContain('tradeflow_');
    expect(one.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
