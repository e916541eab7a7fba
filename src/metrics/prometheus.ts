// Exports an engine's metrics in the Prometheus text format: per-strategy and system-wide series, read
// once per scrape.
import { Counter, Gauge, Registry } from 'prom-client';
import type { EngineMetrics, StrategyMetrics, SystemMetrics } from '../engine/kernel.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';
import { BinnedHistogram, type BinnedRow } from './binned-histogram.ts';
import { defineLiveSeries } from './prometheus-live.ts';
import { defineRiskSeries } from './prometheus-risk.ts';
import { definePlanSeries, type PlanRow, planRows } from './prometheus-plan.ts';
import type { StrategyTypeRow } from '../engine/strategy-types.ts';
import { STRATEGY_KINDS, type StrategyKind } from '../strategy/kind.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';

/** What the exporter reads on each scrape; an `Engine` is one. */
export interface MetricsSource {
  getMetrics(): EngineMetrics;
  /** Returns a strategy's processing-time counts; without it the histogram has no samples. */
  processingHistogram?(strategy: string): ProcessingHistogram | undefined;
  /** Returns the live latency counts (bar arrival to order); without it that histogram has no samples. */
  latencyHistogram?(): ProcessingHistogram;
  /** Returns each strategy's type and accounts; without it the plan's series label a strategy by its kind. */
  strategyTypes?(): readonly StrategyTypeRow[];
}

/** Where a strategy's errors came from. */
export type ErrorCategory = 'processing' | 'ml_inference';

/** A strategy's error counts by category (absent categories are not exported). */
export type ErrorCounts = Readonly<Partial<Record<ErrorCategory, number>>>;

/** Options of a Prometheus exporter. */
export interface PrometheusExporterOptions {
  /** The engine to read; `attach` sets or replaces it later. */
  readonly source?: MetricsSource;
  /**
   * Splits a strategy's errors by category. Default: `errors` is `processing`, and ML and hybrid
   * strategies also report `inferenceErrors` as `ml_inference`.
   */
  readonly errorsOf?: (m: StrategyMetrics, kind: StrategyKind) => ErrorCounts;
}

type StrategyLabels = { strategy: string; type: StrategyKind };

interface Row {
  readonly m: StrategyMetrics;
  readonly labels: StrategyLabels;
}

/** Everything one scrape exports, read once so that all series agree with each other. */
interface Snapshot {
  readonly system: SystemMetrics;
  readonly rows: readonly Row[];
  readonly source: MetricsSource;
  readonly plan: readonly PlanRow[];
}

const STRATEGY_LABELS = ['strategy', 'type'] as const;

function defaultErrors(m: StrategyMetrics, kind: StrategyKind): ErrorCounts {
  return kind === 'rules'
    ? { processing: m.errors }
    : { processing: m.errors, ml_inference: m.inferenceErrors };
}

/**
 * Exports an engine's metrics in the Prometheus text format. Each exporter has its own Registry (never
 * prom-client's global one), so two engines in one process export side by side. Nothing is counted
 * twice: on each scrape the exporter reads `getMetrics()` once and the series take their values from
 * that reading (prom-client `collect` callbacks).
 */
export class PrometheusExporter {
  /** The exporter's own registry. */
  readonly registry = new Registry();
  #source: MetricsSource | undefined;
  #scrape: Snapshot | undefined;
  readonly #errorsOf: (m: StrategyMetrics, kind: StrategyKind) => ErrorCounts;

  constructor(o: PrometheusExporterOptions = {}) {
    this.#source = o.source;
    this.#errorsOf = o.errorsOf ?? defaultErrors;
    this.#define();
  }

  /** Starts reading an engine (a scrape before this exports no strategy). */
  attach(source: MetricsSource): void {
    this.#source = source;
  }

  /** Returns the content type of `metrics()` (the Prometheus text format, version 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Returns every series in the text format, read from the engine now. */
  async metrics(): Promise<string> {
    // The registry runs every collect callback before its first await, so all of them see this reading.
    this.#scrape = this.#read();
    try {
      return await this.registry.metrics();
    } finally {
      this.#scrape = undefined;
    }
  }

  #read(): Snapshot | undefined {
    const source = this.#source;
    if (!source) return undefined;
    const { strategies, system } = source.getMetrics();
    const rows = strategies.map((m) => ({ m, labels: { strategy: m.name, type: m.kind } }));
    const plan = planRows(strategies, source.strategyTypes?.(), DEFAULT_ACCOUNT);
    return { system, rows, source, plan };
  }

  #now(): Snapshot | undefined {
    return this.#scrape ?? this.#read();
  }

  #define(): void {
    const registers = [this.registry];
    const now = () => this.#now();
    const perStrategy = (
      type: 'counter' | 'gauge',
      name: string,
      help: string,
      value: (m: StrategyMetrics) => number,
    ) => {
      if (type === 'counter') {
        new Counter({
          name,
          help,
          labelNames: STRATEGY_LABELS,
          registers,
          collect() {
            this.reset();
            for (const r of now()?.rows ?? []) this.inc(r.labels, value(r.m));
          },
        });
      } else {
        new Gauge({
          name,
          help,
          labelNames: STRATEGY_LABELS,
          registers,
          collect() {
            this.reset();
            for (const r of now()?.rows ?? []) this.set(r.labels, value(r.m));
          },
        });
      }
    };
    const system = (name: string, help: string, value: (s: SystemMetrics) => number) => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const s = now()?.system;
          this.set(s ? value(s) : 0);
        },
      });
    };

    new Gauge({
      name: 'tradeflow_strategies',
      help: 'Started strategies (running, paused or faulted) by type.',
      labelNames: ['type'] as const,
      registers,
      collect() {
        const rows = now()?.rows ?? [];
        for (const type of STRATEGY_KINDS)
          this.set({ type }, rows.filter((r) => r.labels.type === type).length);
      },
    });
    new BinnedHistogram({
      name: 'tradeflow_strategy_processing_seconds',
      help: 'Time a strategy took to handle a bar notification (timed notifications only: inline strategies time one in 16).',
      labelNames: STRATEGY_LABELS,
      registry: this.registry,
      rows: () => {
        const snap = now();
        if (!snap?.source.processingHistogram) return [];
        const out: BinnedRow[] = [];
        for (const r of snap.rows) {
          const histogram = snap.source.processingHistogram(r.m.name);
          if (histogram) out.push({ labels: r.labels, histogram });
        }
        return out;
      },
    });
    perStrategy(
      'gauge',
      'tradeflow_strategy_processing_p99_seconds',
      'The 99th percentile of processing time per notification, from the engine (within about 9 %).',
      (m) => m.p99Ms / 1000,
    );
    perStrategy(
      'gauge',
      'tradeflow_strategy_processing_max_seconds',
      'The longest processing time of a timed notification.',
      (m) => m.maxMs / 1000,
    );
    const errorsOf = this.#errorsOf;
    new Counter({
      name: 'tradeflow_strategy_errors_total',
      help: 'Errors raised by a strategy, by category (processing: thrown by its hooks; ml_inference: model inference).',
      labelNames: [...STRATEGY_LABELS, 'category'] as const,
      registers,
      collect() {
        this.reset();
        for (const r of now()?.rows ?? []) {
          for (const [category, n] of Object.entries(errorsOf(r.m, r.labels.type)))
            if (n !== undefined) this.inc({ ...r.labels, category }, n);
        }
      },
    });
    perStrategy(
      'counter',
      'tradeflow_strategy_notifications_total',
      'Bar notifications a strategy handled.',
      (m) => m.notifications,
    );
    perStrategy(
      'counter',
      'tradeflow_strategy_signals_total',
      'Signals a strategy raised.',
      (m) => m.signals,
    );
    perStrategy(
      'counter',
      'tradeflow_strategy_overruns_total',
      'Bars that reached the strategy while it was still busy with an earlier one (replay and live).',
      (m) => m.overruns,
    );
    perStrategy(
      'counter',
      'tradeflow_strategy_dropped_total',
      "Bar notifications dropped from the strategy's full queue.",
      (m) => m.dropped,
    );
    perStrategy(
      'gauge',
      'tradeflow_strategy_queue_depth',
      "Notifications waiting in the strategy's queue.",
      (m) => m.queueDepth,
    );
    perStrategy(
      'counter',
      'tradeflow_strategy_backpressure_events_total',
      'Backpressure events (queue above 80 %, slow, overrunning, not ready at the step barrier).',
      (m) => m.backpressureEvents,
    );
    perStrategy(
      'gauge',
      'tradeflow_strategy_degraded',
      '1 while an ML or hybrid strategy runs on its rules because its model did not load.',
      (m) => (m.degraded === undefined ? 0 : 1),
    );
    system('tradeflow_strategies_active', 'Strategies running.', (s) => s.active);
    system('tradeflow_strategies_paused', 'Strategies paused.', (s) => s.paused);
    system(
      'tradeflow_strategies_faulted',
      'Strategies faulted (crashed or past their step timeout).',
      (s) => s.faulted,
    );
    system(
      'tradeflow_lag_avg_seconds',
      'Average lateness of step starts (replay: against the schedule; live: after the bar arrived).',
      (s) => s.avgLagMs / 1000,
    );
    system('tradeflow_lag_max_seconds', 'Largest lateness of a step start.', (s) => s.maxLagMs / 1000);
    system('tradeflow_engine_paused', '1 while the engine is paused.', (s) => (s.enginePaused ? 1 : 0));
    defineRiskSeries(this.registry, () => now()?.system);
    definePlanSeries(
      this.registry,
      () => {
        const snap = now();
        return (
          snap && { rows: snap.plan, processingHistogram: snap.source.processingHistogram?.bind(snap.source) }
        );
      },
      errorsOf,
    );
    defineLiveSeries(this.registry, () => {
      const snap = now();
      return snap && { system: snap.system, latency: snap.source.latencyHistogram?.() };
    });
  }
}
