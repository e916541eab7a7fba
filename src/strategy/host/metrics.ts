/**
 * Per-strategy counters kept in a Float64Array, so a worker thread writes them and the engine reads them
 * in place at any time (`engine.getMetrics()`), without messages. Processing times go into a log-scale
 * histogram (8 bins per doubling from 1 microsecond), enough for a p99 within about 9 %. A runner may
 * time only a sample of its notifications (inline strategies time one in 16, so that reading the clock
 * twice per bar does not slow the backtest); averages and percentiles then come from the sample.
 */
const NOTIFICATIONS = 0;
const SIGNALS = 1;
const ERRORS = 2;
const TOTAL_MS = 3;
const MAX_MS = 4;
const OVERRUNS = 5;
const DROPPED = 6;
const TIMED = 7;
const INFERENCE_ERRORS = 8;
/** A strategy thread's memory, written at its memory checks: V8 heap used, off-heap growth since setup (MB). */
const HEAP_MB = 9;
const OFFHEAP_MB = 10;
/** Set by a strategy thread whose off-heap growth passed its limit (the limit in MB): the engine faults it. */
const OVER_LIMIT_MB = 11;
const INVALID_SIGNALS = 12;
const HIST = 13;
const BINS = 8 * 24; // 1 us .. ~16 s

/** Number of float64 slots a metrics block needs. */
export const METRICS_SLOTS = HIST + BINS;

function binOf(ms: number): number {
  const us = ms * 1000;
  if (us <= 1) return 0;
  const b = Math.floor(Math.log2(us) * 8) + 1;
  return b >= BINS ? BINS - 1 : b;
}

function binUpperMs(bin: number): number {
  return bin === 0 ? 0.001 : 2 ** (bin / 8) / 1000;
}

/** Writes one strategy's counters (the side that runs the strategy). */
export class MetricsWriter {
  readonly #m: Float64Array;

  constructor(buffer: Float64Array) {
    this.#m = buffer;
  }

  /** Counts one handled notification, its processing time and the signals it raised. */
  notification(ms: number, signals: number): void {
    const m = this.#m;
    m[NOTIFICATIONS]!++;
    m[SIGNALS]! += signals;
    m[TIMED]!++;
    m[TOTAL_MS]! += ms;
    if (ms > m[MAX_MS]!) m[MAX_MS] = ms;
    m[HIST + binOf(ms)]!++;
  }

  /** Counts a notification whose time was not measured (sampled timing); see `notification`. */
  untimed(signals: number): void {
    const m = this.#m;
    m[NOTIFICATIONS]!++;
    m[SIGNALS]! += signals;
  }

  /** Counts an error raised by a hook; returns the count so far. */
  error(): number {
    return ++this.#m[ERRORS]!;
  }

  /** Counts a value `onBars` returned that was not a signal (also counted as an error, by the caller). */
  invalidSignal(): void {
    this.#m[INVALID_SIGNALS]!++;
  }

  /** Counts a model inference that threw (the ML strategy's `predictSignal`); returns the count so far. */
  inferenceError(): number {
    return ++this.#m[INFERENCE_ERRORS]!;
  }

  /** Counts a step the engine moved past while the strategy was still busy. */
  overrun(): void {
    this.#m[OVERRUNS]!++;
  }

  /** Counts a notification dropped from a full queue. */
  dropped(): void {
    this.#m[DROPPED]!++;
  }

  /** Records a strategy thread's memory (MB): its V8 heap in use and its off-heap growth since setup. */
  memory(heapMb: number, offheapMb: number): void {
    this.#m[HEAP_MB] = heapMb;
    this.#m[OFFHEAP_MB] = offheapMb;
  }

  /** Says the thread's off-heap growth passed `limitMb`: the engine faults it when it next collects. */
  overLimit(limitMb: number): void {
    this.#m[OVER_LIMIT_MB] = limitMb;
  }
}

/** Returns the off-heap limit (MB) a strategy thread said it passed, or 0 when it did not. */
export function offheapOverLimit(m: Float64Array): number {
  return m[OVER_LIMIT_MB]!;
}

/** A strategy's processing figures as the engine reports them. */
export interface ProcessingMetrics {
  readonly notifications: number;
  readonly signals: number;
  /** Errors of the strategy's hooks (setup, onBars, ...): exceptions, and values that are not signals. */
  readonly errors: number;
  /** Values `onBars` returned that were not signals (each dropped, and counted in `errors` too). */
  readonly invalidSignals: number;
  /** Model inferences that threw (an ML or hybrid strategy's `predictSignal`), counted apart from `errors`. */
  readonly inferenceErrors: number;
  readonly overruns: number;
  readonly dropped: number;
  readonly avgMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** A strategy thread's V8 heap in use at its last memory check, in MB (absent before one, and inline). */
  readonly heapMb?: number;
  /** A strategy thread's off-heap memory (array buffers, native) grown since its setup, in MB (ditto). */
  readonly offheapMb?: number;
}

/** Reads a metrics block into figures (the percentile from the histogram). */
export function readMetrics(m: Float64Array): ProcessingMetrics {
  const n = m[NOTIFICATIONS]!;
  const timed = m[TIMED]!;
  let p99 = 0;
  if (timed > 0) {
    const want = Math.ceil(timed * 0.99);
    let seen = 0;
    for (let b = 0; b < BINS; b++) {
      seen += m[HIST + b]!;
      if (seen >= want) {
        p99 = Math.min(binUpperMs(b), m[MAX_MS]!);
        break;
      }
    }
  }
  return {
    notifications: n,
    signals: m[SIGNALS]!,
    errors: m[ERRORS]!,
    invalidSignals: m[INVALID_SIGNALS]!,
    inferenceErrors: m[INFERENCE_ERRORS]!,
    overruns: m[OVERRUNS]!,
    dropped: m[DROPPED]!,
    avgMs: timed > 0 ? m[TOTAL_MS]! / timed : 0,
    p99Ms: p99,
    maxMs: m[MAX_MS]!,
    ...(m[HEAP_MB]! > 0 ? { heapMb: m[HEAP_MB]!, offheapMb: m[OFFHEAP_MB]! } : {}),
  };
}

/** Timed notifications counted at power-of-two bounds, for exporters (Prometheus buckets). */
export interface ProcessingHistogram {
  /** `cumulative[k]`: timed notifications under 2^k microseconds (k = 0 .. 23, 1 us .. ~8.4 s; 1 us or less for k = 0). */
  readonly cumulative: readonly number[];
  /** All timed notifications (the sum of the bins, so it never disagrees with `cumulative`). */
  readonly count: number;
  readonly sumMs: number;
}

/** Reads the histogram at every eighth bin edge (a doubling); the last bin is left out as it also holds all longer times. */
export function readHistogram(m: Float64Array): ProcessingHistogram {
  const cumulative: number[] = [];
  let count = 0;
  for (let b = 0; b < BINS; b++) {
    count += m[HIST + b]!;
    if (b % 8 === 0 && b < BINS - 1) cumulative.push(count);
  }
  return { cumulative, count, sumMs: m[TOTAL_MS]! };
}

/** Allocates a metrics block in shared memory. */
export function sharedMetrics(): Float64Array {
  return new Float64Array(new SharedArrayBuffer(METRICS_SLOTS * 8));
}
