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
