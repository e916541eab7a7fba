// The exponential moving average indicator, seeded with the simple average of its first period.
import { ExpSmoothing } from './exp-smoothing.ts';

/**
 * Computes an exponential moving average with `alpha = 2 / (period + 1)`.
 *
 * Seeding (backtrader's and TA-Lib's convention): the first value, on the `period`-th update, is the
 * simple average of the first `period` inputs; after that `ema = previous * (1 - alpha) + x * alpha`.
 * trading-signals' `EMA` instead starts from the first input and reports values after `period` inputs,
 * so its early values differ from these until the seed has decayed.
 */
export class Ema extends ExpSmoothing {
  constructor(period: number) {
    super(period, 2 / (period + 1), 'Ema.period');
  }
}
