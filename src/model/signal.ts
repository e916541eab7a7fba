// Signals: what a strategy asks for on a bar (buy, sell, close, cancel, replace or hold, and the order terms).

/**
 * What a strategy asks for. CLOSE flattens the strategy's position in the symbol; CANCEL and REPLACE
 * change one of its working orders, named by `ref`; HOLD is recorded only.
 */
export type SignalAction = 'BUY' | 'SELL' | 'HOLD' | 'CLOSE' | 'CANCEL' | 'REPLACE';

/**
 * Order types a signal can ask for; `market` is the default. `stop_limit` becomes a limit order at
 * `price` once a bar reaches `stopPrice`; `trailing_stop` keeps its stop `trailAmount` (or `trailPercent`)
 * behind the best price seen since it was placed.
 */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';

/**
 * How long an order works: `GTC` until filled or cancelled (the default), `DAY` until its session closes,
 * `IOC` fills what it can on its first bar and cancels the rest, `FOK` fills whole on its first bar or is
 * cancelled. IOC and FOK apply to limit orders.
 */
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK';

/** Exits attached to an entry: once the entry fills they work as an OCO pair (one filling cancels the other). */
export interface Bracket {
  /** The stop-loss price (a stop order on the exit side). */
  readonly stopLoss?: number;
  /** The take-profit price (a limit order on the exit side). */
  readonly takeProfit?: number;
}

/** A strategy's output on one bar. Values are readonly once returned. */
export interface Signal {
  readonly symbol: string;
  readonly action: SignalAction;
  /**
   * Shares; required for BUY and SELL, ignored for CLOSE (which uses the whole position); for REPLACE the
   * order's new total quantity, when it changes.
   */
  readonly quantity?: number;
  /**
   * The limit price (`limit`, `stop_limit`) or the stop price (`stop`); informational for market orders;
   * for REPLACE the order's new price, when it changes.
   */
  readonly price?: number;
  readonly orderType?: OrderType;
  /** `stop_limit`: the price that triggers the limit order; for REPLACE its new value. */
  readonly stopPrice?: number;
  /** `trailing_stop`: how far behind the best price the stop trails, in price units (or use `trailPercent`). */
  readonly trailAmount?: number;
  /** `trailing_stop`: how far behind the best price the stop trails, in percent of that price. */
  readonly trailPercent?: number;
  /** Default `GTC`. */
  readonly timeInForce?: TimeInForce;
  /** BUY and SELL: exits attached to the entry (see `Bracket`). */
  readonly bracket?: Bracket;
  /**
   * The strategy's own name for the order, unique among its orders in a run (`ctx.order` assigns one);
   * CANCEL and REPLACE name the order they change by it. An order sent without one is named `#<id>`.
   */
  readonly ref?: string;
  readonly reason?: string;
  /** Confidence in [0, 1], used by decision policies that combine signals. */
  readonly confidence?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The shared empty result: return it from onBars when there is nothing to do (no allocation per bar). */
export const NO_SIGNALS: readonly Signal[] = Object.freeze([]);
