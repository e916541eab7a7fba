// The order terms of a signal as signal-check reads them: refs, time in force, stop-limit and trailing
// terms, brackets, and what CANCEL and REPLACE need.
import { MAX_MAGNITUDE } from '../../model/bar.ts';
import type { Bracket, Signal, SignalAction, TimeInForce } from '../../model/signal.ts';
import { show, SignalProblem } from './signal-problem.ts';

/** A signal's ref is at most this long. */
export const MAX_REF_CHARS = 64;

const TIME_IN_FORCE: ReadonlySet<unknown> = new Set<TimeInForce>(['GTC', 'DAY', 'IOC', 'FOK']);

/** A field the strategy left out: undefined, or null as JSON-minded code writes it. */
const absent = (v: unknown): v is null | undefined => v === undefined || v === null;

/** Returns the positive finite number (within `MAX_MAGNITUDE`) in `field`, or throws why it is not one. */
function positive(field: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_MAGNITUDE) return v;
  const what = typeof v === 'string' ? `${show(v)} (a string)` : show(v);
  throw new SignalProblem(field, `${what} is not a positive number (up to 1e15)`);
}

type Terms = { -readonly [K in keyof Signal]: Signal[K] };

/**
 * Reads the order terms of the signal `v` into `out` (whose action, quantity, price and order type are
 * read already), or throws the first problem: a ref that is no string of 1 to 64 characters or that
 * starts with `#` (those name orders sent without a ref; only CANCEL and REPLACE may use `#<id>`); a time
 * in force other than GTC, DAY, IOC or FOK; a stop_limit without price and stopPrice; a trailing_stop
 * without exactly one of trailAmount and trailPercent (positive, a percent below 100), or trailing terms on
 * another order; a bracket on anything but BUY or SELL, or without a positive stopLoss or takeProfit; a
 * CANCEL without a ref; a REPLACE without a ref or without a positive price, stopPrice or quantity.
 */
export function copyOrderTerms(v: Readonly<Record<string, unknown>>, out: Terms): void {
  const action: SignalAction = out.action;
  const changes = action === 'CANCEL' || action === 'REPLACE';
  const ref = v.ref;
  if (!absent(ref)) out.ref = checkRef(ref, changes);
  else if (changes)
    throw new SignalProblem('ref', `missing; a ${action} names the order it changes by its ref`);
  const timeInForce = v.timeInForce;
  if (!absent(timeInForce)) {
    if (!TIME_IN_FORCE.has(timeInForce))
      throw new SignalProblem('timeInForce', `${show(timeInForce)} is not GTC, DAY, IOC or FOK`);
    out.timeInForce = timeInForce as TimeInForce;
  }
  const stopPrice = v.stopPrice;
  if (!absent(stopPrice)) out.stopPrice = positive('stopPrice', stopPrice);
  const type = out.orderType;
  if (type === 'stop_limit' && (out.price === undefined || out.stopPrice === undefined)) {
    const lacks = out.price === undefined ? 'price (the limit)' : 'stopPrice (the trigger)';
    throw new SignalProblem('orderType', `a stop_limit order needs ${lacks}`);
  }
  if (out.stopPrice !== undefined && type !== 'stop_limit' && action !== 'REPLACE') {
    throw new SignalProblem(
      'stopPrice',
      `${out.stopPrice}: only a stop_limit order has a trigger (a stop order's stop is its price)`,
    );
  }
  readTrail(v, out, type === 'trailing_stop' && (action === 'BUY' || action === 'SELL'));
  const bracket = v.bracket;
  if (!absent(bracket)) {
    if (action !== 'BUY' && action !== 'SELL')
      throw new SignalProblem('bracket', `a ${action} has no bracket; attach one to a BUY or SELL`);
    out.bracket = checkBracket(bracket, action);
  }
  if (action === 'REPLACE') {
    if (out.quantity !== undefined) positive('quantity', out.quantity);
    if (out.price !== undefined) positive('price', out.price);
    if (out.quantity === undefined && out.price === undefined && out.stopPrice === undefined)
      throw new SignalProblem('signal', 'a REPLACE needs a new price, stopPrice or quantity');
  }
}

function checkRef(ref: unknown, changes: boolean): string {
  if (typeof ref !== 'string') throw new SignalProblem('ref', `${show(ref)} is not a string`);
  if (ref.length === 0) throw new SignalProblem('ref', 'is empty; leave it out or name the order');
  if (ref.length > MAX_REF_CHARS)
    throw new SignalProblem('ref', `${show(ref)} is longer than ${MAX_REF_CHARS} characters`);
  if (ref.charCodeAt(0) === 35 && !(changes && /^#[1-9]\d*$/.test(ref))) {
    throw new SignalProblem(
      'ref',
      `${show(ref)} starts with "#", which names orders sent without a ref; choose another name`,
    );
  }
  return ref;
}

function readTrail(v: Readonly<Record<string, unknown>>, out: Terms, trails: boolean): void {
  const amount = v.trailAmount;
  const percent = v.trailPercent;
  if (!trails) {
    if (absent(amount) && absent(percent)) return;
    const field = absent(amount) ? 'trailPercent' : 'trailAmount';
    throw new SignalProblem(field, 'only a BUY or SELL trailing_stop order trails');
  }
  if (absent(amount) === absent(percent)) {
    throw new SignalProblem(
      'orderType',
      absent(amount)
        ? 'a trailing_stop order needs trailAmount or trailPercent'
        : 'a trailing_stop order takes trailAmount or trailPercent, not both',
    );
  }
  if (!absent(amount)) out.trailAmount = positive('trailAmount', amount);
  else {
    const p = positive('trailPercent', percent);
    if (p >= 100) throw new SignalProblem('trailPercent', `${p} is not below 100`);
    out.trailPercent = p;
  }
}

function checkBracket(bracket: unknown, action: 'BUY' | 'SELL'): Bracket {
  if (typeof bracket !== 'object' || bracket === null || Array.isArray(bracket))
    throw new SignalProblem('bracket', `${show(bracket)} is not an object with stopLoss and/or takeProfit`);
  const b = bracket as Record<string, unknown>;
  const sl = absent(b.stopLoss) ? undefined : positive('bracket.stopLoss', b.stopLoss);
  const tp = absent(b.takeProfit) ? undefined : positive('bracket.takeProfit', b.takeProfit);
  if (sl === undefined && tp === undefined)
    throw new SignalProblem('bracket', 'needs a stopLoss, a takeProfit or both');
  if (sl !== undefined && tp !== undefined && (action === 'BUY' ? sl >= tp : sl <= tp)) {
    throw new SignalProblem(
      'bracket',
      `stopLoss ${sl} must be ${action === 'BUY' ? 'below' : 'above'} takeProfit ${tp} for a ${action}`,
    );
  }
  return { ...(sl === undefined ? {} : { stopLoss: sl }), ...(tp === undefined ? {} : { takeProfit: tp }) };
}
