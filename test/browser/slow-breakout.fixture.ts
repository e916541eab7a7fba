// A screener as slow as a real one over remote data, for the web UI's tests: bullish_breakout at ~25 ms
// per ticker. Screens run in a worker thread, which imports it from here (its `module`).
import { monotonicMs } from '../../src/core/clock.ts';
import { bullishBreakout } from '../../src/screener/bullish-breakout.ts';
import type { ScreenerStrategy } from '../../src/screener/types.ts';

/** bullish_breakout, busy for ~25 ms per ticker. */
export const slowBreakout: ScreenerStrategy = {
  ...bullishBreakout,
  name: 'slow_breakout',
  description: 'bullish_breakout, 25 ms per ticker (tests)',
  module: { url: import.meta.url, export: 'slowBreakout' },
  evaluate(bars, config) {
    const until = monotonicMs() + 25;
    while (monotonicMs() < until);
    return bullishBreakout.evaluate(bars, config as never);
  },
};
