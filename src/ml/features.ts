// The momentum model's features, computed incrementally from closes: the same numbers in training and in
// a run.
import { Bollinger } from '../indicators/bollinger.ts';
import { Rsi } from '../indicators/rsi.ts';
import { Sma } from '../indicators/sma.ts';

/**
 * The engineered features of the momentum model, in column order. Returns are simple returns of the
 * close; `rsi_14` is RSI(14) / 100; `sma20_gap` is close / SMA(20) - 1; `vol_20` is the population
 * standard deviation of the last 20 one-bar returns.
 */
export const MOMENTUM_FEATURES = ['ret_1', 'ret_5', 'ret_20', 'rsi_14', 'sma20_gap', 'vol_20'] as const;

/** Closes the features look back over: the close 20 bars ago and the newest one. */
const HISTORY = 21;

/**
 * Computes the momentum features of one series incrementally: feed it each new close once, in order.
 * The training script and the strategy both use this class, so the model sees the same numbers in
 * training and in a run. The first complete row comes with the 21st close.
 */
export class MomentumFeatures {
  readonly #closes = new Float64Array(HISTORY);
  readonly #sma = new Sma(20);
  readonly #rsi = new Rsi(14);
  // Bollinger with k = 1: upper - middle is the window's population standard deviation.
  readonly #vol = new Bollinger(20, 1);
  #count = 0;

  /** Adds the next close; returns its feature row (a new array), or undefined while warming up. */
  update(close: number): Float64Array | undefined {
    const c = this.#closes;
    const i = this.#count % HISTORY;
    c[i] = close;
    this.#count++;
    const sma = this.#sma.update(close);
    const rsi = this.#rsi.update(close);
    if (this.#count < 2) return undefined;
    const back = (n: number) => c[(this.#count - 1 - n) % HISTORY]!;
    const ret1 = close / back(1) - 1;
    this.#vol.update(ret1);
    if (this.#count < HISTORY || !this.#vol.isReady || !this.#rsi.isReady) return undefined;
    const row = Float64Array.of(
      ret1,
      close / back(5) - 1,
      close / back(20) - 1,
      rsi / 100,
      close / sma - 1,
      this.#vol.upper - this.#vol.middle,
    );
    for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j])) return undefined;
    return row;
  }
}
