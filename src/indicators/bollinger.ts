// The Bollinger bands indicator: an SMA middle band with bands k population deviations above and below.
import { TradeflowError } from '../core/errors.ts';
import { ExactSum } from './exact-sum.ts';
import { checkPeriod } from './period.ts';

/**
 * Computes Bollinger bands: `middle` is the SMA of the window (bit for bit the same as {@link Sma}),
 * `upper`/`lower` are `middle ± k * sd` with the population standard deviation of the window.
 *
 * The deviation is taken in a second pass over the window (O(period), no allocation) rather than
 * from running sums of squares, which cancel catastrophically when the bands are narrow. The first
 * values come on the `period`-th update.
 */
export class Bollinger {
  readonly period: number;
  readonly k: number;
  readonly #window: Float64Array;
  readonly #sum = new ExactSum();
  #next = 0;
  #count = 0;
  #middle = NaN;
  #upper = NaN;
  #lower = NaN;

  constructor(period = 20, k = 2) {
    this.period = checkPeriod(period, 'Bollinger.period');
    if (!(k >= 0 && Number.isFinite(k))) {
      throw new TradeflowError(
        'TF_ERR_STRATEGY_CONFIG',
        `Bollinger.k: must be a finite number >= 0, got ${k}`,
      );
    }
    this.k = k;
    this.#window = new Float64Array(this.period);
  }

  /** Adds the next input and returns the middle band (NaN until warmed up). */
  update(x: number): number {
    const w = this.#window;
    const n = this.period;
    const i = this.#next;
    if (this.#count === n) this.#sum.subtract(w[i]!);
    else this.#count++;
    this.#sum.add(x);
    w[i] = x;
    this.#next = i + 1 === n ? 0 : i + 1;
    if (this.#count < n) return NaN;
    const middle = this.#sum.value / n;
    let squares = 0;
    for (let j = 0; j < n; j++) {
      const d = w[j]! - middle;
      squares += d * d;
    }
    const width = this.k * Math.sqrt(squares / n);
    this.#middle = middle;
    this.#upper = middle + width;
    this.#lower = middle - width;
    return middle;
  }

  /** Returns the middle band, the same as `middle`. */
  get value(): number {
    return this.#middle;
  }

  /** Returns the SMA of the window. */
  get middle(): number {
    return this.#middle;
  }

  /** Returns `middle + k * sd`. */
  get upper(): number {
    return this.#upper;
  }

  /** Returns `middle - k * sd`. */
  get lower(): number {
    return this.#lower;
  }

  /** Returns true once `period` inputs have been seen. */
  get isReady(): boolean {
    return this.#count === this.period;
  }

  /** Forgets all inputs. */
  reset(): void {
    this.#sum.reset();
    this.#next = 0;
    this.#count = 0;
    this.#middle = NaN;
    this.#upper = NaN;
    this.#lower = NaN;
  }
}
