// The live series of the Prometheus exporter: what the feed turned away per kind, its reconnects, and
// the latency from a bar's arrival at the feed to each order its signals submit.
import { Counter, Gauge, type Registry } from 'prom-client';
import { LIVE_REJECT_KINDS } from '../engine/feed-watch.ts';
import type { SystemMetrics } from '../engine/kernel.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';
import { BinnedHistogram } from './binned-histogram.ts';

/** What the live series read on a scrape (undefined before an engine is attached). */
export interface LiveReading {
  readonly system: SystemMetrics;
  readonly latency: ProcessingHistogram | undefined;
}

/** Defines the live series on `registry`; each reads `now()` once per scrape. */
export function defineLiveSeries(registry: Registry, now: () => LiveReading | undefined): void {
  const registers = [registry];
  new Counter({
    name: 'tradeflow_feed_rejected_total',
    help: 'Live messages and bars turned away, by kind (malformed, duplicate, out-of-order, unknown-stream; refused: by the engine).',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      const rejected = now()?.system.feed.rejected;
      for (const kind of LIVE_REJECT_KINDS) this.inc({ kind }, rejected?.[kind] ?? 0);
    },
  });
  new Counter({
    name: 'tradeflow_feed_reconnects_total',
    help: 'Connections the live feed made again after losing one.',
    registers,
    collect() {
      this.reset();
      this.inc(now()?.system.feed.reconnects ?? 0);
    },
  });
  new BinnedHistogram({
    name: 'tradeflow_live_latency_seconds',
    help: "Time from a live bar's arrival at the feed adapter to each order its signals submit.",
    labelNames: [],
    registry,
    rows: () => {
      const latency = now()?.latency;
      return latency ? [{ labels: {}, histogram: latency }] : [];
    },
  });
  const quantile = (name: string, help: string, ms: (s: SystemMetrics) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const system = now()?.system;
        this.set(system ? ms(system) / 1000 : 0);
      },
    });
  quantile(
    'tradeflow_live_latency_p50_seconds',
    'The median live latency (bar arrival to order), from the engine (within about 9 %).',
    (s) => s.liveLatency.p50Ms,
  );
  quantile(
    'tradeflow_live_latency_p99_seconds',
    'The 99th percentile of live latency (bar arrival to order), from the engine (within about 9 %).',
    (s) => s.liveLatency.p99Ms,
  );
}
