// Misbehaving screeners for the API fault tests: bullish_breakout, except on YHOO, where one is stuck
// (a busy loop for 20 s: long enough to be stuck, short enough that a server running screens on its own
// thread fails the test rather than hanging it) and another ends the process. A screen's thread imports
// them from here (their `module`).
import { monotonicMs } from '../../../src/core/clock.ts';
import { bullishBreakout } from '../../../src/screener/bullish-breakout.ts';
import type { ScreenerStrategy } from '../../../src/screener/types.ts';

/** The ticker the misbehaving screeners misbehave on. */
export const BAD_TICKER = 'YHOO';

/** How long the stuck screener stays in its loop, in ms. */
export const STUCK_MS = 20_000;

/** bullish_breakout, stuck in a busy loop on YHOO. */
export const stuckBreakout: ScreenerStrategy = {
  ...bullishBreakout,
  name: 'stuck_breakout',
  description: 'bullish_breakout, stuck on YHOO (tests)',
  module: { url: import.meta.url, export: 'stuckBreakout' },
  evaluate(bars, config) {
    if (bars.ticker === BAD_TICKER) {
      const until = monotonicMs() + STUCK_MS;
      while (monotonicMs() < until);
    }
    return bullishBreakout.evaluate(bars, config as never);
  },
};

/** bullish_breakout, calling process.exit(5) on YHOO. */
export const exitingBreakout: ScreenerStrategy = {
  ...bullishBreakout,
  name: 'exiting_breakout',
  description: 'bullish_breakout, ends the process on YHOO (tests)',
  module: { url: import.meta.url, export: 'exitingBreakout' },
  evaluate(bars, config) {
    if (bars.ticker === BAD_TICKER) process.exit(5);
    return bullishBreakout.evaluate(bars, config as never);
  },
};

/** stuck_breakout after its fix: bullish_breakout under that name, for a resumed screen. */
export const fixedStuckBreakout: ScreenerStrategy = {
  ...bullishBreakout,
  name: 'stuck_breakout',
  description: 'stuck_breakout, fixed (tests)',
  module: { url: import.meta.url, export: 'fixedStuckBreakout' },
};
