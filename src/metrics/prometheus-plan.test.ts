import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, parseSessionConfig } from '../config/session-config.ts';
import { MemoryLogger } from '../core/logger.ts';
import { runBacktest } from '../engine/backtest.ts';
import { NO_FEED } from '../engine/feed-watch.ts';
import type { EngineMetrics, StrategyMetrics } from '../engine/kernel.ts';
import { NO_LATENCY } from '../engine/latency.ts';
import { METRICS_SLOTS, MetricsWriter, readHistogram } from '../strategy/host/metrics.ts';
import { type MetricsSource, PrometheusExporter } from './prometheus.ts';
import { type Family, parsePrometheusText } from '../../test/prometheus-text.ts';

// The series under the plan's names: strategy_types_total{type,broker}, strategy_processing_duration_ms
// and strategy_errors_total{type,error_category}, read from the exposition text.

const ROOT = resolve(import.meta.dirname, '../..');

/** Returns a family's samples as [labels..., value] rows, in the order the text lists them. */
const rowsOf = (families: ReadonlyMap<string, Family>, family: string, name: string, labels: string[]) =>
  (families.get(family)?.samples ?? [])
    .filter((s) => s.name === name)
    .map((s) => [...labels.map((l) => s.labels[l]), s.value]);

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

function figures(...strategies: StrategyMetrics[]): EngineMetrics {
  return {
    strategies,
    system: {
      strategiesTotal: strategies.length,
      active: strategies.filter((s) => s.status === 'running').length,
      paused: 0,
      faulted: strategies.filter((s) => s.status === 'faulted').length,
      totalSignals: 0,
      avgLagMs: 0,
      maxLagMs: 0,
      slowestStrategy: null,
      backpressureEvents: 0,
      enginePaused: false,
      feed: NO_FEED,
      liveLatency: NO_LATENCY,
    },
  };
}

describe("the plan's series over a real engine", () => {
  it('count strategies by registered type (or module) and account, and time them in ms', async () => {
    const session: LoadedSession = {
      config: parseSessionConfig(
        {
          data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
          accounts: [{ name: 'paper', initial_cash: 50_000 }],
          strategies: [
            { type: 'sma_cross', active_brokers: ['default', 'paper'], config: { symbols: ['ORCL'] } },
            { type: 'sma_cross', name: 'cross_2', isolation: 'thread', config: { symbols: ['ORCL'] } },
            { module: 'strategies/examples/rsi', active_brokers: ['paper'], config: { symbols: ['ORCL'] } },
            { type: 'ml_breakout', isolation: 'inline', config: { symbols: ['ORCL'] } },
          ],
        },
        'plan',
      ),
      name: 'plan',
      file: join(ROOT, 'plan.json'),
      root: ROOT,
    };
    const exporter = new PrometheusExporter();
    const { engine } = await runBacktest({
      session,
      runId: 'plan',
      startedAt: 0,
      logger: new MemoryLogger(),
      onEngine: (e) => exporter.attach(e),
    });
    const families = parsePrometheusText(await exporter.metrics());
    expect(families.get('strategy_types_total')?.type).toBe('gauge');
    expect(rowsOf(families, 'strategy_types_total', 'strategy_types_total', ['type', 'broker'])).toEqual([
      ['sma_cross', 'default', 2],
      ['sma_cross', 'paper', 1],
      ['rsi', 'paper', 1],
      ['ml_breakout', 'default', 1],
    ]);
    expect(
      rowsOf(families, 'strategy_errors_total', 'strategy_errors_total', ['type', 'error_category']),
    ).toEqual([
      ['sma_cross', 'processing', 0],
      ['rsi', 'processing', 0],
      ['ml_breakout', 'processing', 0],
      ['ml_breakout', 'ml_inference', 0],
    ]);
    // The ms histogram counts what the seconds one counts, strategy by strategy.
    expect(families.get('strategy_processing_duration_ms')?.type).toBe('histogram');
    const counts = (family: string) =>
      rowsOf(families, family, `${family}_count`, ['strategy']).map(([name, n]) => [name, n]);
    expect(counts('strategy_processing_duration_ms')).toEqual(
      counts('tradeflow_strategy_processing_seconds'),
    );
    expect(counts('strategy_processing_duration_ms').map(([name]) => name)).toEqual(
      engine.runners.map((r) => r.name),
    );
    const types = rowsOf(
      families,
      'strategy_processing_duration_ms',
      'strategy_processing_duration_ms_count',
      ['strategy', 'type'],
    ).map(([name, type]) => [name, type]);
    expect(types).toEqual([
      ['simple_ma_cross', 'sma_cross'],
      ['cross_2', 'sma_cross'],
      ['rsi', 'rsi'],
      ['ml_breakout', 'ml_breakout'],
    ]);
  });
});

describe("the plan's series over other sources", () => {
  it('sum errors per type and category, and count only running strategies', async () => {
    const source: MetricsSource = {
      getMetrics: () =>
        figures(
          strategy('a', { errors: 2 }),
          strategy('b', { errors: 3, status: 'faulted' }),
          strategy('m', { kind: 'ml', errors: 1, inferenceErrors: 4 }),
        ),
      strategyTypes: () => [
        { strategy: 'a', type: 'momentum', brokers: ['default'] },
        { strategy: 'b', type: 'momentum', brokers: ['default'] },
        { strategy: 'm', type: 'ml_momentum', brokers: ['live', 'paper'] },
      ],
    };
    const families = parsePrometheusText(await new PrometheusExporter({ source }).metrics());
    expect(rowsOf(families, 'strategy_types_total', 'strategy_types_total', ['type', 'broker'])).toEqual([
      ['momentum', 'default', 1],
      ['ml_momentum', 'live', 1],
      ['ml_momentum', 'paper', 1],
    ]);
    expect(
      rowsOf(families, 'strategy_errors_total', 'strategy_errors_total', ['type', 'error_category']),
    ).toEqual([
      ['momentum', 'processing', 5],
      ['ml_momentum', 'processing', 1],
      ['ml_momentum', 'ml_inference', 4],
    ]);
  });

  it('label by kind and the default account when the source does not tell types', async () => {
    const source: MetricsSource = {
      getMetrics: () => figures(strategy('a'), strategy('h', { kind: 'hybrid' })),
    };
    const families = parsePrometheusText(await new PrometheusExporter({ source }).metrics());
    expect(rowsOf(families, 'strategy_types_total', 'strategy_types_total', ['type', 'broker'])).toEqual([
      ['rules', 'default', 1],
      ['hybrid', 'default', 1],
    ]);
  });

  it('map the processing bins to millisecond buckets and a sum in ms', async () => {
    const block = new Float64Array(METRICS_SLOTS);
    const w = new MetricsWriter(block);
    for (const ms of [0.0005, 0.003, 0.003, 1]) w.notification(ms, 0);
    const source: MetricsSource = {
      getMetrics: () => figures(strategy('timed')),
      processingHistogram: () => readHistogram(block),
    };
    const families = parsePrometheusText(await new PrometheusExporter({ source }).metrics());
    const buckets = rowsOf(
      families,
      'strategy_processing_duration_ms',
      'strategy_processing_duration_ms_bucket',
      ['le'],
    );
    const at = (le: string) => buckets.find(([l]) => l === le)?.[1];
    expect([at('0.001'), at('0.002'), at('0.004'), at('1.024'), at('+Inf')]).toEqual([1, 1, 3, 4, 4]);
    const sum = rowsOf(families, 'strategy_processing_duration_ms', 'strategy_processing_duration_ms_sum', [
      'strategy',
      'type',
    ]);
    expect(sum).toHaveLength(1);
    expect(sum[0]?.slice(0, 2)).toEqual(['timed', 'rules']);
    expect(sum[0]?.[2]).toBeCloseTo(1.0065, 9);
  });
});
