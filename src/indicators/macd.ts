// The MACD indicator: line, signal and histogram from SMA-seeded EMAs, as backtrader computes them.
import { TradeflowError } from '../core/errors.ts';
import { Ema } from './ema.ts';
import { checkPeriod } from './period.ts';

/** Sets the periods of a MACD; each defaults to Appel's classic 12 / 26 / 9. */
export interface MacdOptions {
  readonly fast?: number;
  readonly slow?: number;
  readonly signal?: number;
}

/**
 * Computes MACD as backtrader does: `macd = ema(fast) - ema(slow)`, `signal = ema(macd, signal)`,
 * `histogram = macd - signal`, with the SMA-seeded EMAs of {@link Ema}.
 *
 * Seeding: the MACD line exists from update `slow`; the signal EMA is seeded with the simple average
 * of the first `signal` MACD values, so all three values appear together on update
 * `slow + signal - 1` (34 with the defaults) and are NaN before, as backtrader's minimum period.
 */
export class Macd {
  readonly fast: number;
  readonly slow: number;
  readonly signalPeriod: number;
  readonly #fastEma: Ema;
  readonly #slowEma: Ema;
  readonly #signalEma: Ema;
  #macd = NaN;
  #signal = NaN;
  #histogram = NaN;

  constructor(options: MacdOptions = {}) {
    this.fast = checkPeriod(options.fast ?? 12, 'Macd.fast');
    this.slow = checkPeriod(options.slow ?? 26, 'Macd.slow');
    this.signalPeriod = checkPeriod(options.signal ?? 9, 'Macd.signal');
    if (this.fast >= this.slow) {
      throw new TradeflowError(
        'TF_ERR_STRATEGY_CONFIG',
        `Macd.fast: must be less than slow (${this.slow}), got ${this.fast}`,
      );
    }
    this.#fastEma = new Ema(this.fast);
    this.#slowEma = new Ema(this.slow);
    this.#signalEma = new Ema(this.signalPeriod);
  }

  /** Adds the next close and returns the MACD line (NaN until all three values are warmed up). */
  update(close: number): number {
    const fast = this.#fastEma.update(close);
    const slow = this.#slowEma.update(close);
    if (!this.#slowEma.isReady) return NaN;
    const macd = fast - slow;
    const signal = this.#signalEma.update(macd);
    if (!this.#signalEma.isReady) return NaN;
    this.#macd = macd;
    this.#signal = signal;
    this.#histogram = macd - signal;
    return macd;
  }

  /** Returns the MACD line, the same as `macd`. */
  get value(): number {
    return this.#macd;
  }

  /** Returns the MACD line, `ema(fast) - ema(slow)`. */
  get macd(): number {
    return this.#macd;
  }

  /** Returns the signal line, the EMA of the MACD line. */
  get signal(): number {
    return this.#signal;
  }

  /** Returns `macd - signal`. */
  get histogram(): number {
    return this.#histogram;
  }

  /** Returns true once the signal line is warmed up. */
  get isReady(): boolean {
    return this.#signalEma.isReady;
  }

  /** Forgets all inputs. */
  reset(): void {
    this.#fastEma.reset();
    this.#slowEma.reset();
    this.#signalEma.reset();
    this.#macd = NaN;
    this.#signal = NaN;
    this.#histogram = NaN;
  }
}
