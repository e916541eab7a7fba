// An exactly-rounded running sum with removal (Python's math.fsum), so that moving windows sum without drift.
import { TradeflowError } from '../core/errors.ts';

/**
 * Keeps an exactly-rounded running sum that supports removal: Shewchuk's non-overlapping partials,
 * the algorithm of Python's `math.fsum`, including its final round-half-even correction.
 *
 * `value` equals `math.fsum` of the multiset of values added and not yet subtracted, bit for bit,
 * whatever the order of the calls. Non-finite inputs are counted rather than summed so that
 * subtracting them restores the finite sum: any NaN, or both infinities, give NaN; one infinity gives
 * that infinity. Where fsum raises OverflowError (finite inputs near ±1.8e308 whose sum overflows),
 * `add` throws a `TF_ERR_DATA_ROW` error and the sum is unusable until `reset()`. Updates take
 * O(partials) time (at most 4 on real price windows) and do not allocate, except to grow the partials
 * array in rare adversarial cases.
 */
export class ExactSum {
  // Non-overlapping partials, increasing in magnitude; their exact sum is the exact running sum.
  #partials = new Float64Array(8);
  #count = 0;
  #nanCount = 0;
  #posInfCount = 0;
  #negInfCount = 0;

  /** Adds `x` to the sum exactly. */
  add(x: number): void {
    if (x - x !== 0) {
      // Only NaN and the infinities fail `x - x === 0`: one test keeps the finite path short.
      this.#countSpecial(x, 1);
      return;
    }
    this.#addFinite(x);
  }

  /** Removes a previously added `x` from the sum exactly. */
  subtract(x: number): void {
    if (x - x !== 0) {
      this.#countSpecial(x, -1);
      return;
    }
    this.#addFinite(-x);
  }

  /** Returns the sum rounded once, to nearest with ties to even, as `math.fsum` does. */
  get value(): number {
    if (this.#nanCount > 0 || (this.#posInfCount > 0 && this.#negInfCount > 0)) return NaN;
    if (this.#posInfCount > 0) return Infinity;
    if (this.#negInfCount > 0) return -Infinity;
    const p = this.#partials;
    let n = this.#count;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    // Add from the top down and stop at the first inexact step: the partials below cannot move it.
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // The remaining partials may push a halfway `lo` off the tie: fsum([1e-16, 1, 1e16]) must round
    // up to 1e16 + 2, which round-half-even on `hi + lo` alone would not do.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  /** Returns the number of partials held; a small number keeps updates cheap. */
  get partialCount(): number {
    return this.#count;
  }

  /** Empties the sum. */
  reset(): void {
    this.#count = 0;
    this.#nanCount = 0;
    this.#posInfCount = 0;
    this.#negInfCount = 0;
  }

  #addFinite(input: number): void {
    const p = this.#partials;
    const n = this.#count;
    let x = input;
    let i = 0;
    for (let j = 0; j < n; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    if (x !== 0) {
      if (x - x !== 0) {
        this.#count = i;
        throw new TradeflowError(
          'TF_ERR_DATA_ROW',
          `exact sum overflowed adding ${input}: an indicator input is near the largest double`,
        );
      }
      if (i === p.length) this.#grow();
      this.#partials[i++] = x;
    }
    this.#count = i;
  }

  #grow(): void {
    const bigger = new Float64Array(this.#partials.length * 2);
    bigger.set(this.#partials);
    this.#partials = bigger;
  }

  #countSpecial(x: number, delta: 1 | -1): void {
    if (Number.isNaN(x)) this.#nanCount += delta;
    else if (x > 0) this.#posInfCount += delta;
    else this.#negInfCount += delta;
  }
}
