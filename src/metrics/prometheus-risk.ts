// The risk series of the Prometheus exporter: orders refused before they reached a broker, per strategy
// and rule (the risk limits, and `duplicate_ref`).
import { Counter, type Registry } from 'prom-client';
import type { SystemMetrics } from '../engine/kernel.ts';

/** Defines the risk series on `registry`; each reads `now()` once per scrape. */
export function defineRiskSeries(registry: Registry, now: () => SystemMetrics | undefined): void {
  new Counter({
    name: 'tradeflow_risk_rejections_total',
    help: 'Orders refused before they reached a broker, by strategy and rule (a risk limit, or duplicate_ref).',
    labelNames: ['strategy', 'rule'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of now()?.riskRejections ?? []) this.inc({ strategy: r.strategy, rule: r.rule }, r.count);
    },
  });
}
