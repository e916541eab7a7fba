// Signals: what a strategy asks for on a bar (buy, sell, close or hold, and the order type).

/** What a strategy asks for. CLOSE flattens the strategy's position in the symbol; HOLD is recorded only. */
export type SignalAction = 'BUY' | 'SELL' | 'HOLD' | 'CLOSE';

/** Order types a signal can ask for; `market` is the default. */
export type OrderType = 'market' | 'limit' | 'stop';

/** A strategy's output on one bar. Values are readonly once returned. */
export interface Signal {
  readonly symbol: string;
  readonly action: SignalAction;
  /** Shares; required for BUY and SELL, ignored for CLOSE (which uses the whole position). */
  readonly quantity?: number;
  /** The limit or stop price for `limit` and `stop` orders; informational for market orders. */
  readonly price?: number;
  readonly orderType?: OrderType;
  readonly reason?: string;
  /** Confidence in [0, 1], used by decision policies that combine signals. */
  readonly confidence?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The shared empty result: return it from onBars when there is nothing to do (no allocation per bar). */
export const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
