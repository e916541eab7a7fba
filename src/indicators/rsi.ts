// The relative strength index indicator (Wilder's RSI), as backtrader and trading-signals compute it.
import { ExpSmoothing } from './exp-smoothing.ts';
import { checkPeriod } from './period.ts';

/**
 * Computes Wilder's relative strength index, `100 - 100 / (1 + avgGain / avgLoss)`, as backtrader
 * and trading-signals do.
 *
 * Seeding: gains and losses start on the second update (they need a previous close). Each average is
 * first the simple average of the first `period` gains (losses), so the first value comes on update
 * `period + 1`; after that Wilder smoothing, `avg = previous * (1 - a) + x * a` with `a = 1 / period`.
 * With no losses the value is 100; with neither gains nor losses (a flat window) it is 50. A NaN
 * close makes every later value NaN (Wilder smoothing never forgets), until `reset()`.
 */
export class Rsi {
  readonly period: number;
  readonly #gain: ExpSmoothing;
  readonly #loss: ExpSmoothing;
  #previous = NaN;
  #hasPrevious = false;
  #value = NaN;

  constructor(period = 14) {
    this.period = checkPeriod(period, 'Rsi.period');
    this.#gain = new ExpSmoothing(period, 1 / period);
    this.#loss = new ExpSmoothing(period, 1 / period);
  }

  /** Adds the next close and returns the RSI in [0, 100] (NaN until warmed up). */
  update(close: number): number {
    if (!this.#hasPrevious) {
      this.#previous = close;
      this.#hasPrevious = true;
      return this.#value;
    }
    const previous = this.#previous;
    this.#previous = close;
    const change = close - previous;
    // Written so that a NaN change stays NaN instead of counting as "no gain, no loss".
    const gain = this.#gain.update(change > 0 ? change : change <= 0 ? 0 : NaN);
    const loss = this.#loss.update(change < 0 ? -change : change >= 0 ? 0 : NaN);
    if (!this.#gain.isReady) return this.#value;
    const rsi = 100 - 100 / (1 + gain / loss);
    // 0 / 0 means no movement at all in the averages: neither side is stronger.
    this.#value = gain === 0 && loss === 0 ? 50 : rsi;
    return this.#value;
  }

  /** Returns the current RSI, NaN until warmed up. */
  get value(): number {
    return this.#value;
  }

  /** Returns true once `period + 1` closes have been seen. */
  get isReady(): boolean {
    return this.#gain.isReady;
  }

  /** Forgets all inputs. */
  reset(): void {
    this.#gain.reset();
    this.#loss.reset();
    this.#previous = NaN;
    this.#hasPrevious = false;
    this.#value = NaN;
  }
}
