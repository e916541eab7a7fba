// What the paper broker refuses: an order request whose terms do not fit together (rejected at submit), and
// a replace that would leave a working order unsound (refused, the order unchanged). Each reason says what to fix.
import type { Order } from '../model/order.ts';
import type { OrderChanges, OrderRequest } from './broker.ts';

const isPositive = (x: number | undefined): boolean => Number.isFinite(x) && (x as number) > 0;
const shown = (x: number | undefined): string => (x === undefined ? 'none' : String(x));

/** Returns why a request cannot be accepted (its symbol aside), or undefined when its terms are sound. */
export function requestProblem(req: OrderRequest): string | undefined {
  if (!isPositive(req.quantity)) return `quantity must be a positive number (got ${req.quantity})`;
  const { type } = req;
  if ((type === 'limit' || type === 'stop' || type === 'stop_limit') && !isPositive(req.price)) {
    return `a ${type} order needs a positive price (got ${shown(req.price)})`;
  }
  if (type === 'stop_limit' && !isPositive(req.stopPrice)) {
    return `a stop_limit order needs a positive stopPrice, the price that triggers it (got ${shown(req.stopPrice)})`;
  }
  if (type !== 'stop_limit' && req.stopPrice !== undefined) {
    return `stopPrice applies to stop_limit orders only (a stop order's stop is its price); this is a ${type} order`;
  }
  const trail = trailProblem(req);
  if (trail !== undefined) return trail;
  const tif = req.timeInForce;
  if ((tif === 'IOC' || tif === 'FOK') && type !== 'limit') {
    return `time in force ${tif} applies to limit orders only; this is a ${type} order (use GTC or DAY)`;
  }
  return req.bracket === undefined ? undefined : bracketProblem(req);
}

function trailProblem(req: OrderRequest): string | undefined {
  const { trailAmount, trailPercent } = req;
  if (req.type !== 'trailing_stop') {
    return trailAmount === undefined && trailPercent === undefined
      ? undefined
      : `trailAmount and trailPercent apply to trailing_stop orders only; this is a ${req.type} order`;
  }
  if ((trailAmount === undefined) === (trailPercent === undefined)) {
    return 'a trailing_stop order needs exactly one of trailAmount (price units) and trailPercent';
  }
  if (trailAmount !== undefined && !isPositive(trailAmount)) {
    return `trailAmount must be a positive number (got ${trailAmount})`;
  }
  if (trailPercent !== undefined && !(isPositive(trailPercent) && trailPercent < 100)) {
    return `trailPercent must be above 0 and below 100 (got ${trailPercent})`;
  }
  return undefined;
}

/**
 * A bracket's exits must be positive and on the right sides: for a buy entry the stop-loss below the
 * take-profit (and a priced entry between them), for a sell entry the other way round.
 */
function bracketProblem(req: OrderRequest): string | undefined {
  const { stopLoss, takeProfit } = req.bracket ?? {};
  if (stopLoss === undefined && takeProfit === undefined) {
    return 'a bracket needs a stopLoss, a takeProfit or both';
  }
  if (stopLoss !== undefined && !isPositive(stopLoss)) {
    return `bracket.stopLoss must be a positive price (got ${stopLoss})`;
  }
  if (takeProfit !== undefined && !isPositive(takeProfit)) {
    return `bracket.takeProfit must be a positive price (got ${takeProfit})`;
  }
  const buy = req.side === 'buy';
  // For a buy entry, the prices in rising order: stop-loss, entry, take-profit; a sell reverses it.
  const below = buy ? 'below' : 'above';
  const above = buy ? 'above' : 'below';
  const rises = (a: number, b: number) => (buy ? a < b : a > b);
  if (stopLoss !== undefined && takeProfit !== undefined && !rises(stopLoss, takeProfit)) {
    return `a ${req.side} entry's bracket.stopLoss (${stopLoss}) must be ${below} its takeProfit (${takeProfit})`;
  }
  const entry = req.type === 'market' || req.type === 'trailing_stop' ? undefined : req.price;
  if (entry === undefined) return undefined;
  if (stopLoss !== undefined && !rises(stopLoss, entry)) {
    return `a ${req.side} entry's bracket.stopLoss (${stopLoss}) must be ${below} its price (${entry})`;
  }
  if (takeProfit !== undefined && !rises(entry, takeProfit)) {
    return `a ${req.side} entry's bracket.takeProfit (${takeProfit}) must be ${above} its price (${entry})`;
  }
  return undefined;
}

/** Returns why a working order cannot take these changes, or undefined when it can. */
export function changesProblem(order: Order, changes: OrderChanges): string | undefined {
  const { price, stopPrice, quantity } = changes;
  const what = `order ${order.id} (${order.type})`;
  if (price === undefined && stopPrice === undefined && quantity === undefined) {
    return `nothing to change in ${what}: give a new price, stopPrice or quantity`;
  }
  if (quantity !== undefined) {
    const filled = order.filledQuantity ?? 0;
    if (!(Number.isFinite(quantity) && quantity > filled)) {
      return `the new quantity of ${what} must be a number above the ${filled} already filled (got ${quantity})`;
    }
    if (order.ocoId !== undefined) {
      return `${what} is one leg of an OCO pair, whose quantity follows its entry; cancel both legs and send new exits instead`;
    }
  }
  if (price !== undefined) {
    if (order.type === 'market' || order.type === 'trailing_stop') {
      return `${what} has no price to change`;
    }
    if (!isPositive(price)) return `the new price of ${what} must be a positive number (got ${price})`;
  }
  if (stopPrice !== undefined) {
    if (order.type !== 'stop_limit' && order.type !== 'trailing_stop') {
      return `${what} has no stopPrice (a stop order's stop is its price)`;
    }
    if (order.triggered === true) return `${what} has triggered already: its stopPrice no longer applies`;
    if (!isPositive(stopPrice)) {
      return `the new stopPrice of ${what} must be a positive number (got ${stopPrice})`;
    }
  }
  if (order.bracket !== undefined && price !== undefined) {
    return bracketProblem({ ...order, price, bracket: order.bracket });
  }
  return undefined;
}
