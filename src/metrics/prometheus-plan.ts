// The series under the names the project's plan gives them (strategy_types_total,
// strategy_processing_duration_ms, strategy_errors_total), beside the tradeflow_* series.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { StrategyMetrics } from '../engine/kernel.ts';
import type { StrategyTypeRow } from '../engine/strategy-types.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';
import type { StrategyKind } from '../strategy/kind.ts';
import { BinnedHistogram, type BinnedRow } from './binned-histogram.ts';

/** One started strategy as the plan's series label it. */
export interface PlanRow {
  readonly m: StrategyMetrics;
  readonly kind: StrategyKind;
  /** Its type and accounts (see `StrategyTypeRow`). */
  readonly type: string;
  readonly brokers: readonly string[];
}

/** What the plan's series read on a scrape (undefined before an engine is attached). */
export interface PlanReading {
  readonly rows: readonly PlanRow[];
  readonly processingHistogram: ((strategy: string) => ProcessingHistogram | undefined) | undefined;
}

/**
 * Returns the plan rows of a scrape: each strategy's type and accounts from `types` when the source
 * offers them, else its kind and the primary account.
 */
export function planRows(
  strategies: readonly StrategyMetrics[],
  types: readonly StrategyTypeRow[] | undefined,
  primary: string,
): PlanRow[] {
  const byName = new Map((types ?? []).map((t) => [t.strategy, t]));
  return strategies.map((m) => {
    const t = byName.get(m.name);
    return { m, kind: m.kind, type: t?.type ?? m.kind, brokers: t?.brokers ?? [primary] };
  });
}

/** Splits a strategy's errors by category (as the exporter's `errorsOf`). */
type ErrorsOf = (m: StrategyMetrics, kind: StrategyKind) => Readonly<Partial<Record<string, number>>>;

/** Defines the plan-named series on `registry`; each reads `now()` once per scrape. */
export function definePlanSeries(
  registry: Registry,
  now: () => PlanReading | undefined,
  errorsOf: ErrorsOf,
): void {
  const registers = [registry];
  new Gauge({
    name: 'strategy_types_total',
    help: 'Strategies running, by strategy type and account (broker); a strategy that trades in two accounts counts in each.',
    labelNames: ['type', 'broker'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of now()?.rows ?? []) {
        const running = r.m.status === 'running' ? 1 : 0;
        for (const broker of r.brokers) this.inc({ type: r.type, broker }, running);
      }
    },
  });
  new BinnedHistogram({
    name: 'strategy_processing_duration_ms',
    help: 'Time a strategy took to handle a bar notification, in milliseconds (timed notifications only: inline strategies time one in 16).',
    labelNames: ['strategy', 'type'],
    registry,
    unit: 'ms',
    rows: () => {
      const reading = now();
      const histogramOf = reading?.processingHistogram;
      if (!histogramOf) return [];
      const out: BinnedRow[] = [];
      for (const r of reading.rows) {
        const histogram = histogramOf(r.m.name);
        if (histogram) out.push({ labels: { strategy: r.m.name, type: r.type }, histogram });
      }
      return out;
    },
  });
  new Counter({
    name: 'strategy_errors_total',
    help: 'Errors raised by strategies, by strategy type and category (processing: thrown by its hooks; ml_inference: model inference).',
    labelNames: ['type', 'error_category'] as const,
    registers,
    collect() {
      this.reset();
      for (const r of now()?.rows ?? []) {
        for (const [error_category, n] of Object.entries(errorsOf(r.m, r.kind)))
          if (n !== undefined) this.inc({ type: r.type, error_category }, n);
      }
    },
  });
}
