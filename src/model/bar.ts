/**
 * A bar as a value, for code off the hot path (loaders' tests, reports, live feeds). On the hot path bars
 * live in SessionData columns and are read through BarSeriesView accessors, never as objects.
 * A bar is stamped with the time it closes (`tsClose`, epoch ms UTC).
 */
export interface Bar {
  readonly tsClose: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Bit flags stored per bar. */
export const BarFlags = {
  /** The bar falls outside the calendar's regular session (pre/post market). */
  OUTSIDE_SESSION: 1,
  /** The bar was built by an aggregator from smaller bars. */
  AGGREGATED: 2,
} as const;

/** A key for one bar stream: `ORCL@1d`. */
export type SeriesKey = `${string}@${string}`;

/** Returns the key of a (symbol, interval) stream. */
export function seriesKey(symbol: string, interval: string): SeriesKey {
  return `${symbol}@${interval}`;
}

/**
 * The largest magnitude of a price, volume or quantity the engine takes, from a data row, a live bar or a
 * signal. Below 2^53, so whole numbers stay exact, and small enough that products such as price x volume
 * or price x quantity, and sums of millions of them, stay finite: a finite but absurd value such as 1e308
 * would make them Infinity (then NaN in the books) far from where it came in.
 */
export const MAX_MAGNITUDE = 1e15;
