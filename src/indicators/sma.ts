// The simple moving average indicator, bit for bit as backtrader's: an exactly-rounded window sum over
// the period.
import { ExactSum } from './exact-sum.ts';
import { checkPeriod } from './period.ts';

/**
 * Computes a simple moving average as backtrader does, bit for bit: the exactly-rounded sum of the
 * window (`math.fsum`) divided by `period`. Equal windows therefore give equal averages, so ties
 * between two averages stay ties; a running naive sum drifts by ~1e-14 and turns ties into crosses.
 * The first value comes on the `period`-th update. A NaN in the window makes the value NaN until it
 * leaves the window.
 */
export class Sma {
  readonly period: number;
  readonly #window: Float64Array;
  readonly #sum = new ExactSum();
  #next = 0;
  #count = 0;
  #value = NaN;

  constructor(period: number) {
    this.period = checkPeriod(period, 'Sma.period');
    this.#window = new Float64Array(this.period);
  }

  /** Adds the next input and returns the average of the last `period` inputs (NaN until warmed up). */
  update(x: number): number {
    const i = this.#next;
    if (this.#count === this.period) this.#sum.subtract(this.#window[i]!);
    else this.#count++;
    this.#sum.add(x);
    this.#window[i] = x;
    this.#next = i + 1 === this.period ? 0 : i + 1;
    if (this.#count === this.period) this.#value = this.#sum.value / this.period;
    return this.#value;
  }

  /** Returns the current average, NaN until warmed up. */
  get value(): number {
    return this.#value;
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
    this.#value = NaN;
  }
}
