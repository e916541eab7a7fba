// Exponential smoothing, bit for bit as backtrader's: the base of the EMA, RSI and ATR indicators.
import { ExactSum } from './exact-sum.ts';
import { checkPeriod } from './period.ts';

/**
 * Smooths a series exponentially as backtrader's `ExponentialSmoothing` does, bit for bit: the first
 * value, on the `period`-th update, is the simple average of the first `period` inputs (exact sum
 * divided by `period`); later values are `previous * (1 - alpha) + input * alpha`.
 */
export class ExpSmoothing {
  readonly period: number;
  readonly alpha: number;
  readonly #alpha1: number;
  readonly #seed = new ExactSum();
  #count = 0;
  #value = NaN;

  constructor(period: number, alpha: number, name = 'ExpSmoothing.period') {
    this.period = checkPeriod(period, name);
    this.alpha = alpha;
    this.#alpha1 = 1 - alpha;
  }

  /** Adds the next input and returns the smoothed value (NaN until warmed up). */
  update(x: number): number {
    if (this.#count === this.period) {
      this.#value = this.#value * this.#alpha1 + x * this.alpha;
    } else {
      this.#seed.add(x);
      if (++this.#count === this.period) this.#value = this.#seed.value / this.period;
    }
    return this.#value;
  }

  /** Returns the current smoothed value, NaN until warmed up. */
  get value(): number {
    return this.#value;
  }

  /** Returns true once `period` inputs have been seen. */
  get isReady(): boolean {
    return this.#count === this.period;
  }

  /** Forgets all inputs. */
  reset(): void {
    this.#seed.reset();
    this.#count = 0;
    this.#value = NaN;
  }
}
