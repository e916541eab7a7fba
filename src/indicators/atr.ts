// The average true range indicator (Wilder's ATR), seeded as backtrader and TA-Lib seed it.
import { ExpSmoothing } from './exp-smoothing.ts';
import { checkPeriod } from './period.ts';

/**
 * Computes Wilder's average true range, as backtrader and TA-Lib do.
 *
 * Seeding: the true range, `max(high, previousClose) - min(low, previousClose)`, needs a previous
 * close, so the first bar only supplies that close. The first value, on update `period + 1`, is the
 * simple average of the first `period` true ranges; after that Wilder smoothing,
 * `atr = previous * (1 - a) + tr * a` with `a = 1 / period`. trading-signals' `ATR` instead takes
 * `high - low` as the first bar's true range and reports one bar earlier.
 */
export class Atr {
  readonly period: number;
  readonly #smoothing: ExpSmoothing;
  #previousClose = NaN;
  #hasPrevious = false;

  constructor(period = 14) {
    this.period = checkPeriod(period, 'Atr.period');
    this.#smoothing = new ExpSmoothing(period, 1 / period);
  }

  /** Adds the next bar and returns the ATR (NaN until warmed up). */
  update(high: number, low: number, close: number): number {
    const previousClose = this.#previousClose;
    this.#previousClose = close;
    if (!this.#hasPrevious) {
      this.#hasPrevious = true;
      return NaN;
    }
    // Math.max/min rather than ternaries so that a NaN input propagates instead of being skipped.
    return this.#smoothing.update(Math.max(high, previousClose) - Math.min(low, previousClose));
  }

  /** Returns the current ATR, NaN until warmed up. */
  get value(): number {
    return this.#smoothing.value;
  }

  /** Returns true once `period + 1` bars have been seen. */
  get isReady(): boolean {
    return this.#smoothing.isReady;
  }

  /** Forgets all inputs. */
  reset(): void {
    this.#smoothing.reset();
    this.#previousClose = NaN;
    this.#hasPrevious = false;
  }
}
