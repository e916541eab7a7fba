/**
 * Detects crosses of `a` over `b` with backtrader's rule: a cross up on a bar means `a - b > 0` now
 * and the last non-zero `a - b` before it was negative; a cross down is the mirror. Exact ties
 * (`a == b`) therefore neither cross nor reset the memory, so "below, tie, above" is one cross up.
 * The first usable difference seeds the memory even when it is zero (and never crosses itself).
 * Updates where either input is NaN (an indicator not warmed up) return 0 and leave the memory alone.
 */
export class CrossOver {
  // The last non-zero difference; 0 while only ties have been seen, NaN before the first difference.
  #last = NaN;
  #value = 0;

  /** Adds the next pair and returns +1 on a cross up, -1 on a cross down, 0 otherwise. */
  update(a: number, b: number): number {
    const d = a - b;
    let cross = 0;
    if (d === d) {
      // NaN comparisons are false, so a NaN memory (nothing seen yet) never crosses.
      if (d > 0) {
        if (this.#last < 0) cross = 1;
        this.#last = d;
      } else if (d < 0) {
        if (this.#last > 0) cross = -1;
        this.#last = d;
      } else if (this.#last !== this.#last) {
        this.#last = 0;
      }
    }
    this.#value = cross;
    return cross;
  }

  /** Returns the result of the last update. */
  get value(): number {
    return this.#value;
  }

  /** Returns true once a difference has been seen (the memory is seeded). */
  get isReady(): boolean {
    return this.#last === this.#last;
  }

  /** Forgets the memory. */
  reset(): void {
    this.#last = NaN;
    this.#value = 0;
  }
}
