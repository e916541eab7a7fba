// A strategy's state per symbol, made on first use and warmed up on the symbol's history.
import type { BarSeriesView } from '../data/session-data.ts';

/**
 * A strategy's state per symbol, made the first time a symbol is asked for: at setup for the configured
 * symbols, and on the first bar of a symbol that joined the session mid-run. Made then, it is warmed up
 * first: `warm` gets the close of every bar before the current one (the symbol's history), so that the
 * indicators stand where they would had the symbol been there from the start.
 */
export class PerSymbol<T extends { readonly bars: BarSeriesView }> {
  readonly #states = new Map<string, T>();
  readonly #make: (symbol: string) => T;
  readonly #warm: ((state: T, close: number) => void) | undefined;

  constructor(make: (symbol: string) => T, warm?: (state: T, close: number) => void) {
    this.#make = make;
    this.#warm = warm;
  }

  /** Returns the state of `symbol`, making (and warming up) it the first time. */
  get(symbol: string): T {
    let state = this.#states.get(symbol);
    if (state === undefined) {
      state = this.#make(symbol);
      const warm = this.#warm;
      // At setup nothing is published yet; on a joined symbol's first bar, all but that bar are history.
      if (warm !== undefined)
        for (let i = 0; i < state.bars.length - 1; i++) warm(state, state.bars.close(i));
      this.#states.set(symbol, state);
    }
    return state;
  }
}
