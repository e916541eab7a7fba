// The paper broker's price rules: where each order type fills on a bar, when a stop-limit triggers, how a
// trailing stop moves, and which exit of an OCO pair fills when one bar reaches both (the intrabar rule).
import type { IntrabarRule } from '../config/orders-config.ts';
import type { Order, Side } from '../model/order.ts';

/*
 * A bar is only four prices: what happened between the open and the close is unknown. So every rule here
 * is read cautiously and the same way: the open comes first (a bar that opens through a price fills at
 * the open, whatever else it did); anything else inside the bar is assumed to happen in the order least
 * favourable to the trader unless a rule says otherwise.
 */

/**
 * Returns the price at which a working order fills on a bar, or undefined when the bar does not reach it.
 * Market: the open. Limit (and a triggered stop-limit): the limit, or the open when the bar opens better.
 * Stop (and a trailing stop at its current stop): the stop, or the open when the bar gaps through it. A
 * stop-limit not yet triggered never fills here (see `triggerOf`).
 */
export function fillPrice(order: Order, open: number, high: number, low: number): number | undefined {
  switch (order.type) {
    case 'market':
      return open;
    case 'limit':
      return limitPrice(order.side, order.price as number, open, high, low);
    case 'stop':
      return stopPrice(order.side, order.price as number, open, high, low);
    case 'stop_limit':
      return order.triggered === true
        ? limitPrice(order.side, order.price as number, open, high, low)
        : undefined;
    case 'trailing_stop':
      return order.stopPrice === undefined
        ? undefined
        : stopPrice(order.side, order.stopPrice, open, high, low);
  }
}

function limitPrice(side: Side, p: number, open: number, high: number, low: number): number | undefined {
  if (side === 'buy') return open <= p ? open : low <= p ? p : undefined;
  return open >= p ? open : high >= p ? p : undefined;
}

function stopPrice(side: Side, p: number, open: number, high: number, low: number): number | undefined {
  if (side === 'buy') return open >= p ? open : high >= p ? p : undefined;
  return open <= p ? open : low <= p ? p : undefined;
}

/**
 * Returns how a bar triggers a stop-limit order: `open` when the bar opens at or through its stop (the
 * whole bar trades after the trigger, so the limit may fill on it), `inside` when the bar reaches the
 * stop only after its open (it is unknown whether the limit was reached after the trigger, so the limit
 * works from the next bar), undefined when the bar does not reach the stop.
 */
export function triggerOf(
  side: Side,
  stop: number,
  open: number,
  high: number,
  low: number,
): 'open' | 'inside' | undefined {
  if (side === 'buy') return open >= stop ? 'open' : high >= stop ? 'inside' : undefined;
  return open <= stop ? 'open' : low <= stop ? 'inside' : undefined;
}

/** Returns a trailing stop `trailAmount` (or `trailPercent` %) behind `best`: below it for a sell, above for a buy. */
export function trailFrom(order: Pick<Order, 'side' | 'trailAmount' | 'trailPercent'>, best: number): number {
  const gap = order.trailAmount ?? (best * (order.trailPercent as number)) / 100;
  return roundPrice(order.side === 'sell' ? best - gap : best + gap);
}

/**
 * Returns the stop of a trailing stop order after a bar it did not fill on (the stop never moves back):
 * a sell trails the bar's high, a buy the bar's low. The bar is checked against the stop as it stood
 * before the bar, and only then moves it, so a bar never fills against a stop it raised itself.
 */
export function trailedStop(order: Order, high: number, low: number): number {
  const now = order.stopPrice as number;
  const next = trailFrom(order, order.side === 'sell' ? high : low);
  return order.side === 'sell' ? Math.max(now, next) : Math.min(now, next);
}

/**
 * Returns which exit of an OCO pair fills on a bar that reaches both: a leg the bar opens through fills
 * (the open comes first), whatever the rule; otherwise `worst` takes the stop-loss, `best` the
 * take-profit, `open_distance` the one whose price is nearer the open (the stop-loss on a tie).
 */
export function pickLeg(
  rule: IntrabarRule,
  stopLoss: Order,
  takeProfit: Order,
  bar: { readonly open: number },
  prices: { readonly stopLoss: number; readonly takeProfit: number },
): 'stopLoss' | 'takeProfit' {
  if (prices.stopLoss === bar.open) return 'stopLoss';
  if (prices.takeProfit === bar.open) return 'takeProfit';
  switch (rule) {
    case 'worst':
      return 'stopLoss';
    case 'best':
      return 'takeProfit';
    case 'open_distance': {
      // Rounded, so that 49.7 - 49.6 and 49.8 - 49.7 make the tie they are on paper.
      const toStop = roundPrice(Math.abs(bar.open - (stopLoss.price as number)));
      const toTarget = roundPrice(Math.abs(bar.open - (takeProfit.price as number)));
      return toTarget < toStop ? 'takeProfit' : 'stopLoss';
    }
  }
}

/** Rounds a computed price to 8 decimals, so that 100 x 0.98 is 98 and not 97.99999999999999. */
export function roundPrice(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
