// What a screener is: its config schema and its evaluation of one ticker's daily bars into a result.
import type { z } from 'zod';

/**
 * One ticker's daily bars as columns, oldest first, each bar stamped with the time it closes (epoch ms
 * UTC). Loaded once and never mutated after it is handed out.
 */
export interface DailyBars {
  readonly ticker: string;
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** A metric value as it appears in JSON (NaN and infinities are written as null). */
export type MetricValue = number | string | boolean | null;

/** What a screener says about one ticker. */
export interface ScreenResult {
  readonly passed: boolean;
  /** 0-100, higher is a stronger candidate. */
  readonly score: number;
  /** A short label such as `bullish_breakout`, `watch`, `overbought`. */
  readonly classification: string;
  /** One line per check, in a fixed order, saying what was measured against what. */
  readonly reasons: readonly string[];
  readonly metrics: Readonly<Record<string, MetricValue>>;
}

/**
 * A screener strategy: evaluates one ticker at a time over its daily bars. `configSchema` validates the
 * parameters of a run (defaults included); `evaluate` is pure, so a run repeated gives the same results.
 */
export interface ScreenerStrategy<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly configSchema: S;
  /**
   * Where a run's worker thread imports a screener the registry lacks (one's own, or a test's): the
   * module's URL (`import.meta.url`) and the name it is exported under. The registry's screeners need none.
   */
  readonly module?: { readonly url: string; readonly export: string };
  /** Evaluates one ticker; throws TF_ERR_TICKER_DATA when its bars cannot be evaluated (too few, say). */
  evaluate(bars: DailyBars, config: z.output<S>): ScreenResult;
}
