// Loads and screens one ticker, turning any error into that ticker's outcome so that a screen goes on.
import { isTradeflowError } from '../core/errors.ts';
import type { TickerSource } from './ticker-source.ts';
import type { ScreenerStrategy, ScreenResult } from './types.ts';

/** What a screen records for one ticker: the screener's result, or the error that kept it from one. */
export type TickerOutcome =
  | { readonly ticker: string; readonly status: 'ok'; readonly result: ScreenResult }
  | { readonly ticker: string; readonly status: 'error'; readonly error: TickerError };

/** Why a ticker has no result: a coded error (unknown ticker, bad data) or an unexpected one. */
export interface TickerError {
  readonly code: string;
  readonly message: string;
}

/**
 * Loads one ticker and evaluates it. Never throws: an error belongs to this ticker, and the screen goes
 * on with the next one.
 */
export function evaluateTicker(
  source: TickerSource,
  screener: ScreenerStrategy,
  config: unknown,
  ticker: string,
): TickerOutcome {
  try {
    const bars = source.load(ticker);
    return { ticker, status: 'ok', result: screener.evaluate(bars, config) };
  } catch (e) {
    const error = isTradeflowError(e)
      ? { code: e.code, message: e.message }
      : {
          code: 'TF_ERR_INTERNAL',
          message: `${ticker}: ${screener.name} failed: ${e instanceof Error ? e.message : String(e)}`,
        };
    return { ticker, status: 'error', error };
  }
}
