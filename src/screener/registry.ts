// The screeners tradeflow ships, by name.
import { bullishBreakout } from './bullish-breakout.ts';
import type { ScreenerStrategy } from './types.ts';

/** The screener strategies tradeflow ships, by name. */
export const SCREENERS: Readonly<Record<string, ScreenerStrategy>> = {
  [bullishBreakout.name]: bullishBreakout,
};

/** Returns a screener by name, or undefined. */
export function screenerByName(name: string): ScreenerStrategy | undefined {
  return Object.hasOwn(SCREENERS, name) ? SCREENERS[name] : undefined;
}

/** Returns the names of the screeners, sorted. */
export function screenerNames(): string[] {
  return Object.keys(SCREENERS).sort();
}
