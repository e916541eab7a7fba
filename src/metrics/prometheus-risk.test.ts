import { describe, expect, it } from 'vitest';
import { NO_FEED } from '../engine/feed-watch.ts';
import type { EngineMetrics } from '../engine/kernel.ts';
import { NO_LATENCY } from '../engine/latency.ts';
import { parsePrometheusText } from '../../test/prometheus-text.ts';
import { PrometheusExporter } from './prometheus.ts';

/** Engine figures with no strategy and these refusals. */
function figures(riskRejections?: EngineMetrics['system']['riskRejections']): EngineMetrics {
  return {
    strategies: [],
    system: {
      strategiesTotal: 0,
      active: 0,
      paused: 0,
      faulted: 0,
      totalSignals: 0,
      avgLagMs: 0,
      maxLagMs: 0,
      slowestStrategy: null,
      backpressureEvents: 0,
      enginePaused: false,
      feed: NO_FEED,
      liveLatency: NO_LATENCY,
      ...(riskRejections === undefined ? {} : { riskRejections }),
    },
  };
}

describe('tradeflow_risk_rejections_total', () => {
  it('exports each strategy and rule with its count', async () => {
    const exporter = new PrometheusExporter({
      source: {
        getMetrics: () =>
          figures([
            { strategy: 'a', rule: 'max_open_orders', count: 1 },
            { strategy: 'a', rule: 'max_order_notional', count: 2 },
            { strategy: 'b', rule: 'daily_loss_limit', count: 5 },
          ]),
      },
    });
    const family = parsePrometheusText(await exporter.metrics()).get('tradeflow_risk_rejections_total');
    expect(family?.type).toBe('counter');
    expect(family?.samples.map((s) => [s.labels, s.value])).toEqual([
      [{ strategy: 'a', rule: 'max_open_orders' }, 1],
      [{ strategy: 'a', rule: 'max_order_notional' }, 2],
      [{ strategy: 'b', rule: 'daily_loss_limit' }, 5],
    ]);
  });

  it('has no sample before a refusal', async () => {
    const exporter = new PrometheusExporter({ source: { getMetrics: () => figures() } });
    const family = parsePrometheusText(await exporter.metrics()).get('tradeflow_risk_rejections_total');
    expect(family?.samples).toEqual([]);
  });
});
