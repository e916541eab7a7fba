// Feature extractors of the bundled models beyond momentum (mean reversion, breakout), computed
// incrementally from bars: the same numbers in training and in a run.
import { Bollinger } from '../indicators/bollinger.ts';
import { Rsi } from '../indicators/rsi.ts';

/** A feature extractor fed one bar at a time; the momentum features read only the close. */
export interface BarFeatureExtractor {
  /** Adds the next bar; returns its feature row (a new array), or undefined while warming up. */
  update(close: number, high: number, low: number, volume: number): Float64Array | undefined;
}

/**
 * The mean-reversion model's features, in column order: `sma20_gap` is close / SMA(20) - 1; `zscore_20`
 * is (close - SMA(20)) / the population standard deviation of the last 20 closes; `rsi_14` is RSI(14) /
 * 100; `ret_1` and `ret_5` are simple returns of the close.
 */
export const MEAN_REVERSION_FEATURES = ['sma20_gap', 'zscore_20', 'rsi_14', 'ret_1', 'ret_5'] as const;

/** Computes the mean-reversion features; the first complete row comes with the 20th close. */
export class MeanReversionFeatures implements BarFeatureExtractor {
  readonly #closes = new Float64Array(6);
  // Bollinger with k = 1: its middle is SMA(20) and upper - middle the closes' population std.
  readonly #bands = new Bollinger(20, 1);
  readonly #rsi = new Rsi(14);
  #count = 0;

  update(close: number): Float64Array | undefined {
    const c = this.#closes;
    c[this.#count % 6] = close;
    this.#count++;
    this.#bands.update(close);
    const rsi = this.#rsi.update(close);
    if (!this.#bands.isReady || !this.#rsi.isReady || this.#count < 6) return undefined;
    const back = (n: number) => c[(this.#count - 1 - n) % 6]!;
    const mean = this.#bands.middle;
    const std = this.#bands.upper - mean;
    const row = Float64Array.of(
      close / mean - 1,
      (close - mean) / std,
      rsi / 100,
      close / back(1) - 1,
      close / back(5) - 1,
    );
    return finite(row);
  }
}

/**
 * The breakout model's features, in column order, against the previous 20 bars (the current one left
 * out): `high20_gap` is close / their highest high - 1; `low20_gap` is close / their lowest low - 1;
 * `range_ratio` is this bar's high - low over their mean high - low (range expansion); `volume_ratio` is
 * this bar's volume over their mean volume (a volume surge); `ret_1` is the one-bar return of the close.
 */
export const BREAKOUT_FEATURES = ['high20_gap', 'low20_gap', 'range_ratio', 'volume_ratio', 'ret_1'] as const;

const LOOKBACK = 20;

/** Computes the breakout features; the first complete row comes with the 21st bar. */
export class BreakoutFeatures implements BarFeatureExtractor {
  readonly #high = new Float64Array(LOOKBACK);
  readonly #low = new Float64Array(LOOKBACK);
  readonly #range = new Float64Array(LOOKBACK);
  readonly #volume = new Float64Array(LOOKBACK);
  #prevClose = Number.NaN;
  #count = 0;

  update(close: number, high: number, low: number, volume: number): Float64Array | undefined {
    let row: Float64Array | undefined;
    if (this.#count >= LOOKBACK) {
      let hi = -Infinity;
      let lo = Infinity;
      let range = 0;
      let vol = 0;
      for (let k = 0; k < LOOKBACK; k++) {
        hi = Math.max(hi, this.#high[k]!);
        lo = Math.min(lo, this.#low[k]!);
        range += this.#range[k]!;
        vol += this.#volume[k]!;
      }
      row = finite(
        Float64Array.of(
          close / hi - 1,
          close / lo - 1,
          (high - low) / (range / LOOKBACK),
          volume / (vol / LOOKBACK),
          close / this.#prevClose - 1,
        ),
      );
    }
    const i = this.#count % LOOKBACK;
    this.#high[i] = high;
    this.#low[i] = low;
    this.#range[i] = high - low;
    this.#volume[i] = volume;
    this.#prevClose = close;
    this.#count++;
    return row;
  }
}

/** Returns the row when every value is finite (a zero close, range or volume is no row for a model). */
function finite(row: Float64Array): Float64Array | undefined {
  for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j])) return undefined;
  return row;
}
