// A Prometheus histogram whose bucket counts are read from the engine's own bins, not observed one value
// at a time.
import { type Histogram, type Registry, validateMetricName } from 'prom-client';
import { TradeflowError } from '../core/errors.ts';
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';

/** One labelled histogram: its label values and its counts. */
export interface BinnedRow {
  readonly labels: Readonly<Record<string, string>>;
  readonly histogram: ProcessingHistogram;
}

/** Options of a binned histogram. */
export interface BinnedHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly registry: Registry;
  /** Returns the rows to export; called once per scrape. */
  readonly rows: () => readonly BinnedRow[];
  /** The unit of the bounds and the sum: `seconds` (the default, as Prometheus advises) or `ms`. */
  readonly unit?: 'seconds' | 'ms';
}

/** One sample as a prom-client Registry formats it. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Returns the bound in seconds of `cumulative[k]` of a processing histogram: 2^k microseconds. */
export function bucketBoundSeconds(k: number): number {
  return 2 ** k / 1e6;
}

/**
 * A Prometheus histogram whose bucket counts are read, not observed. prom-client's Histogram counts
 * `observe` calls one value at a time, while the engine already keeps the counts in its own log-scale
 * bins; replaying millions of observations on each scrape would stall the run. This metric hands the
 * Registry ready counts instead: it is registered like any prom-client metric (the Registry calls
 * `get()` on each scrape and formats the samples), under the same name and label checks.
 */
export class BinnedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  readonly #rows: () => readonly BinnedRow[];
  readonly #ms: boolean;

  constructor(o: BinnedHistogramOptions) {
    if (!validateMetricName(o.name))
      throw new TradeflowError('TF_ERR_INTERNAL', `invalid metric name ${o.name}`);
    for (const l of o.labelNames) {
      if (!LABEL_NAME.test(l) || l === 'le')
        throw new TradeflowError('TF_ERR_INTERNAL', `invalid label name ${l} on ${o.name}`);
    }
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames;
    this.#rows = o.rows;
    this.#ms = o.unit === 'ms';
    // prom-client types a Registry's metrics as its own four classes; at run time it needs only the
    // name, type, help, aggregator, get() and reset() given here.
    o.registry.registerMetric(this as unknown as Histogram);
  }

  /** Returns the samples of every row: cumulative buckets, +Inf, sum (in the unit) and count. */
  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: Sample[];
  }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, histogram: h } of this.#rows()) {
      h.cumulative.forEach((count, k) =>
        values.push({
          metricName: bucket,
          labels: { ...labels, le: this.#ms ? 2 ** k / 1e3 : bucketBoundSeconds(k) },
          value: count,
        }),
      );
      values.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: h.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: this.#ms ? h.sumMs : h.sumMs / 1000 });
      values.push({ metricName: `${this.name}_count`, labels, value: h.count });
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** Does nothing: the counts belong to the engine, which a registry reset must not touch. */
  reset(): void {}
}
