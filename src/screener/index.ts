export type * from './types.ts';
export type { TickerOutcome, TickerError } from './evaluate-ticker.ts';
export { evaluateTicker } from './evaluate-ticker.ts';
export type { TickerSource } from './ticker-source.ts';
export {
  BUNDLED_DAILY_FILES,
  bundledTickerSource,
  FileTickerSource,
  PROJECT_ROOT,
  SyntheticTickerSource,
  syntheticTicker,
} from './ticker-source.ts';
export { readDailyBars } from './daily-bars.ts';
export { bullishBreakout, bullishBreakoutSchema, barsNeeded, lastIndexAsOf } from './bullish-breakout.ts';
export type { BullishBreakoutConfig } from './bullish-breakout.ts';
export { SCREENERS, screenerByName, screenerNames } from './registry.ts';
