// One bar offered to a symbol's working orders: stop-limit triggers, fills in id order within the bar's
// volume share, the intrabar rule for an OCO pair, IOC/FOK on their first bar, trailing stops moved after.
import type { IntrabarRule } from '../config/orders-config.ts';
import type { BarPrices } from './broker.ts';
import { fillPrice, pickLeg, trailedStop, trailFrom, triggerOf } from './fill-rules.ts';
import type { OrderBook, Working } from './order-book.ts';
import type { OrderDesk } from './order-desk.ts';

/** What a bar pass works with. */
export interface BarPass {
  readonly desk: OrderDesk;
  readonly book: OrderBook;
  readonly intrabar: IntrabarRule;
  /** The most of a bar's volume the symbol's orders may fill on it together (undefined: no limit). */
  readonly maxVolumeShare: number | undefined;
}

/**
 * Offers a bar to the working orders of its symbol, in id order (orders placed during the pass, such as a
 * bracket's exits, wait for the next bar). `working` is the book's live list; it is copied first.
 */
export function offerBar(p: BarPass, working: readonly Working[], bar: BarPrices, barIndex: number): void {
  const snapshot = working.slice();
  const share = p.maxVolumeShare;
  let room = share === undefined ? Number.POSITIVE_INFINITY : share * bar.volume;
  // The other leg of an OCO pair this bar already decided: it does not fill on the same bar.
  let decided: Set<Working> | undefined;
  for (const listed of snapshot) {
    if (listed.done || decided?.has(listed)) continue;
    let w = listed;
    const fresh = w.fresh;
    w.fresh = false;
    let order = w.order;
    if (order.type === 'stop_limit' && order.triggered !== true) {
      const how = triggerOf(order.side, order.stopPrice as number, bar.open, bar.high, bar.low);
      if (how === undefined) continue;
      p.desk.update(w, { ...order, triggered: true }, 'triggered');
      // Reached inside the bar: whether the limit traded after the trigger is unknown, so not on this bar.
      if (how === 'inside') continue;
      order = w.order;
    }
    if (order.type === 'trailing_stop' && order.stopPrice === undefined) {
      // Placed before its symbol had a price: the first open it sees is the best price so far.
      order = w.order = { ...order, stopPrice: trailFrom(order, bar.open) };
    }
    let price = fillPrice(order, bar.open, bar.high, bar.low);
    if (price !== undefined && order.ocoId !== undefined) {
      const other = p.book.working(order.ocoId);
      const otherPrice = other && fillPrice(other.order, bar.open, bar.high, bar.low);
      if (other !== undefined && otherPrice !== undefined) {
        (decided ??= new Set()).add(other);
        const thisIsStop = order.type === 'stop';
        const leg = pickLeg(
          p.intrabar,
          thisIsStop ? order : other.order,
          thisIsStop ? other.order : order,
          bar,
          thisIsStop
            ? { stopLoss: price, takeProfit: otherPrice }
            : { stopLoss: otherPrice, takeProfit: price },
        );
        if ((leg === 'stopLoss') !== thisIsStop) {
          w = other;
          order = other.order;
          price = otherPrice;
        }
      }
    }
    if (price === undefined) {
      if (fresh && isImmediate(order.timeInForce)) {
        p.desk.close(
          w,
          'cancelled',
          bar.ts,
          `${order.timeInForce}: its first bar did not reach the limit ${order.price}`,
        );
      } else if (order.type === 'trailing_stop') trail(w, bar);
      continue;
    }
    room -= fillWithin(p, w, fresh, price, room, bar, barIndex);
    if (!w.done && w.order.type === 'trailing_stop') trail(w, bar);
  }
}

/** Fills what the room allows of an order at `price`; returns the quantity filled. */
function fillWithin(
  p: BarPass,
  w: Working,
  fresh: boolean,
  price: number,
  room: number,
  bar: BarPrices,
  barIndex: number,
): number {
  const { order } = w;
  const remaining = order.quantity - (order.filledQuantity ?? 0);
  let quantity = Math.min(remaining, room);
  // Whole shares for a whole order; the tolerance keeps 0.29 x 100 (28.999...) at 29.
  if (Number.isInteger(order.quantity)) quantity = Math.floor(quantity + 1e-9);
  const tif = order.timeInForce;
  const partial = quantity < remaining - 1e-9 * order.quantity;
  if (fresh && tif === 'FOK' && partial) {
    p.desk.close(w, 'cancelled', bar.ts, `FOK: ${shortFill(p, quantity, remaining, bar)}; none filled`);
    return 0;
  }
  if (quantity <= 0) {
    if (fresh && tif === 'IOC')
      p.desk.close(w, 'cancelled', bar.ts, `IOC: ${shortFill(p, quantity, remaining, bar)}`);
    return 0;
  }
  if (!p.desk.fill(w, quantity, price, bar.ts, barIndex)) return 0;
  if (fresh && tif === 'IOC' && !w.done) {
    p.desk.close(
      w,
      'cancelled',
      bar.ts,
      `IOC: ${shortFill(p, quantity, remaining, bar)}; the rest is cancelled`,
    );
  }
  return quantity;
}

/** Says why an IOC or FOK order could not fill whole on its first bar (built only when it is said). */
function shortFill(p: BarPass, quantity: number, remaining: number, bar: BarPrices): string {
  return `only ${quantity} of ${remaining} could fill on its first bar (max_volume_share ${p.maxVolumeShare} of ${bar.volume} traded, shared in id order)`;
}

/** Moves a trailing stop after a bar it did not fill whole on; no event (its `stopPrice` shows the stop now). */
function trail(w: Working, bar: BarPrices): void {
  const stop = trailedStop(w.order, bar.high, bar.low);
  if (stop !== w.order.stopPrice) w.order = { ...w.order, stopPrice: stop };
}

function isImmediate(tif: string | undefined): boolean {
  return tif === 'IOC' || tif === 'FOK';
}
