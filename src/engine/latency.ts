// The live path's latency: from a bar's arrival at the feed adapter to each of its signals reaching the
// broker, kept in fixed-size log-scale bins so that a run of any length costs the same memory.
import type { ProcessingHistogram } from '../strategy/host/metrics.ts';

/** Bins per doubling, from 1 us: a percentile is read within about 9 %. */
const PER_DOUBLING = 8;
/** 1 us .. ~16 s; the last bin also holds everything longer. */
const BINS = PER_DOUBLING * 24;

function binOf(ms: number): number {
  const us = ms * 1000;
  if (us <= 1) return 0;
  const b = Math.floor(Math.log2(us) * PER_DOUBLING) + 1;
  return b >= BINS ? BINS - 1 : b;
}

function binUpperMs(bin: number): number {
  return bin === 0 ? 0.001 : 2 ** (bin / PER_DOUBLING) / 1000;
}

/** Latency figures in ms (all 0 before the first sample). */
export interface LatencyFigures {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * A fixed-size latency histogram: `record` is a few array writes, percentiles are read from the bins
 * (within about 9 %, never above the largest sample).
 */
export class LatencyHistogram {
  readonly #bins = new Float64Array(BINS);
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;

  /** Records one latency in ms (a negative reading, from a clock step, counts as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    this.#bins[binOf(v)]!++;
    this.#count++;
    this.#sumMs += v;
    if (v > this.#maxMs) this.#maxMs = v;
  }

  /** Returns the `q` quantile (0..1) in ms. */
  quantileMs(q: number): number {
    if (this.#count === 0) return 0;
    const want = Math.max(1, Math.ceil(this.#count * q));
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.#bins[b]!;
      if (seen >= want) return Math.min(binUpperMs(b), this.#maxMs);
    }
    return this.#maxMs;
  }

  /** Returns the count, p50, p99 and largest sample. */
  get figures(): LatencyFigures {
    return {
      count: this.#count,
      p50Ms: this.quantileMs(0.5),
      p99Ms: this.quantileMs(0.99),
      maxMs: this.#maxMs,
    };
  }

  /** Returns the counts at each doubling from 1 us, in the shape the Prometheus exporter reads. */
  histogram(): ProcessingHistogram {
    const cumulative: number[] = [];
    let count = 0;
    for (let b = 0; b < BINS; b++) {
      count += this.#bins[b]!;
      if (b % PER_DOUBLING === 0 && b < BINS - 1) cumulative.push(count);
    }
    return { cumulative, count: this.#count, sumMs: this.#sumMs };
  }
}

/** The figures of a run with no live latency sample. */
export const NO_LATENCY: LatencyFigures = { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
