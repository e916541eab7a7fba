// Cancel and replace on real bars, including the races: a request that reaches an order no longer working is
// refused with what became of it, and a change that would leave an order unsound is refused with why.
import { describe, expect, it } from 'vitest';
import { aBroker, anOrderRequest, barsFrom, bundledBars, isoOf } from './broker.fixture.ts';

// INDA on 2023-07-10: 13:31 opens 43.55 (low 43.48); 13:32 opens 43.515 (43.51..43.53); 13:33 43.52 (43.515..43.53).
const bars = barsFrom(bundledBars('INDA_1min.csv'), '2023-07-10T13:31:00Z', 3);
const T = (hhmm: string) => Date.parse(`2023-07-10T${hhmm}:00Z`);

describe('cancel', () => {
  it('cancels a working order with the reason given, and it never fills', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 43.5 }), T('13:25'));
    const cancelled = broker.cancel(1, T('13:25'), 'changed my mind');
    play(bars);
    expect(log.take()).toEqual(['order 1 accepted', 'order 1 cancelled: changed my mind']);
    expect(cancelled).toMatchObject({
      id: 1,
      status: 'cancelled',
      tsClosed: T('13:25'),
      reason: 'changed my mind',
    });
    expect(broker.openOrderCount).toBe(0);
  });

  it('refuses a cancel that arrives after the fill, naming when the order filled, and returns it as it stands', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 43.5 }), T('13:25'));
    // The strategy decides to cancel on 13:31's close; the order filled on that bar (its low 43.48).
    play(bars.slice(0, 1));
    const after = broker.cancel(1, T('13:31'));
    expect(log.take().slice(-1)).toEqual([
      `order 1 cancel_rejected: order 1 was filled at ${isoOf(T('13:31'))}`,
    ]);
    expect(log.take()).toEqual([]);
    expect(after).toMatchObject({ id: 1, status: 'filled', filledQuantity: 10, avgFillPrice: 43.5 });
    expect(isoOf(T('13:31'))).toBe('2023-07-10T13:31:00Z');
  });

  it('refuses a second cancel and a cancel of a rejected order, with the reason it closed', () => {
    const { broker, log } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 43.5 }), T('13:25'));
    broker.cancel(1, T('13:26'), 'first');
    broker.cancel(1, T('13:27'));
    broker.reject(
      anOrderRequest(),
      T('13:28'),
      'max_open_orders: 1 working, the limit is 1',
      'max_open_orders',
    );
    broker.cancel(2, T('13:29'));
    expect(log.take().filter((l) => l.includes('cancel_rejected'))).toEqual([
      'order 1 cancel_rejected: order 1 was cancelled at 2023-07-10T13:26:00Z (first)',
      'order 2 cancel_rejected: order 2 was rejected at 2023-07-10T13:28:00Z (max_open_orders: 1 working, the limit is 1)',
    ]);
  });

  it('returns undefined, with no event, for an id the broker never gave', () => {
    const { broker, log } = aBroker();
    expect(broker.cancel(42, T('13:25'))).toBeUndefined();
    expect(broker.replace(42, { price: 1 }, T('13:25'))).toBeUndefined();
    expect(log.lines).toEqual([]);
  });

  it('leaves the other leg of an OCO pair working when one leg is cancelled', () => {
    const { broker, play } = aBroker();
    broker.submit(anOrderRequest({ bracket: { stopLoss: 43, takeProfit: 44 } }), T('13:25'));
    play(bars.slice(0, 1));
    broker.cancel(2, T('13:31'));
    expect(broker.openOrders().map((o) => [o.id, o.ref])).toEqual([[3, '#1:tp']]);
  });
});

describe('replace', () => {
  it('moves a working limit order’s price and quantity, and the new terms fill', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 43.4 }), T('13:25'));
    play(bars.slice(0, 1)); // 13:31's low 43.48 does not reach 43.4
    const replaced = broker.replace(1, { price: 43.515, quantity: 20 }, T('13:31'));
    play(bars.slice(1, 2)); // 13:32 opens at 43.515
    expect(replaced).toMatchObject({ id: 1, price: 43.515, quantity: 20, status: 'open' });
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 1 replaced',
      'order 1 filled',
      'fill 1 of 1: 20 @ 43.515 -> 20',
    ]);
  });

  it('changes a stop-limit’s trigger before it triggers', () => {
    const { broker, play, log } = aBroker();
    broker.submit(anOrderRequest({ type: 'stop_limit', stopPrice: 43.6, price: 43.6 }), T('13:31'));
    broker.replace(1, { stopPrice: 43.52 }, T('13:31'));
    play(bars.slice(1, 3)); // 13:32 reaches 43.52 inside: triggered; 13:33 opens 43.52, under the limit: filled
    expect(log.fills.map((f) => f.price)).toEqual([43.52]);
  });

  it.each([
    [{}, 'nothing to change in order 1 (limit): give a new price, stopPrice or quantity'],
    [
      { quantity: 0 },
      'the new quantity of order 1 (limit) must be a number above the 0 already filled (got 0)',
    ],
    [{ price: -1 }, 'the new price of order 1 (limit) must be a positive number (got -1)'],
    [{ stopPrice: 40 }, "order 1 (limit) has no stopPrice (a stop order's stop is its price)"],
  ])('refuses %j with the reason, leaving the order as it was', (changes, reason) => {
    const { broker, log } = aBroker();
    const order = broker.submit(anOrderRequest({ type: 'limit', price: 43.4 }), T('13:25'));
    expect(broker.replace(1, changes, T('13:26'))).toEqual(order);
    expect(log.take()).toEqual(['order 1 accepted', `order 1 replace_rejected: ${reason}`]);
    expect(broker.openOrders()).toEqual([order]);
  });

  it('refuses a quantity at or below what has filled, and a price that leaves its bracket', () => {
    const { broker, log, play } = aBroker({ maxVolumeShare: 0.0001 });
    // 13:31 traded 35104: 3 of 10 fill.
    broker.submit(
      anOrderRequest({ type: 'limit', price: 43.55, bracket: { stopLoss: 43, takeProfit: 44 } }),
      T('13:25'),
    );
    play(bars.slice(0, 1));
    broker.replace(1, { quantity: 3 }, T('13:31'));
    broker.replace(1, { price: 44.5 }, T('13:31'));
    expect(log.take().filter((l) => l.includes('replace_rejected'))).toEqual([
      'order 1 replace_rejected: the new quantity of order 1 (limit) must be a number above the 3 already filled (got 3)',
      "order 1 replace_rejected: a buy entry's bracket.takeProfit (44) must be above its price (44.5)",
    ]);
  });

  it('refuses a replace after the fill, naming when the order filled', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest(), T('13:25'));
    play(bars.slice(0, 1));
    broker.replace(1, { quantity: 5 }, T('13:31'));
    expect(log.take().slice(-1)).toEqual([
      'order 1 replace_rejected: order 1 was filled at 2023-07-10T13:31:00Z',
    ]);
  });

  it('refuses a quantity change on one leg of an OCO pair', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ bracket: { stopLoss: 43, takeProfit: 44 } }), T('13:25'));
    play(bars.slice(0, 1));
    broker.replace(2, { quantity: 5 }, T('13:31'));
    broker.replace(2, { price: 43.2 }, T('13:31'));
    expect(log.take().slice(-2)).toEqual([
      'order 2 replace_rejected: order 2 (stop) is one leg of an OCO pair, whose quantity follows its entry; cancel both legs and send new exits instead',
      'order 2 replaced',
    ]);
    expect(broker.openOrders().map((o) => [o.id, o.price, o.quantity])).toEqual([
      [2, 43.2, 10],
      [3, 44, 10],
    ]);
  });
});

describe('refs', () => {
  it('names an order by its request’s ref, or #<id>, and finds it by ref once closed', () => {
    const { broker, play } = aBroker();
    broker.submit(anOrderRequest({ ref: 'entry' }), T('13:25'));
    broker.submit(anOrderRequest({ type: 'limit', price: 40 }), T('13:25'));
    play(bars.slice(0, 1));
    expect(broker.orderByRef('s1', 'entry')).toMatchObject({ id: 1, status: 'filled' });
    expect(broker.orderByRef('s1', '#2')).toMatchObject({ id: 2, status: 'open' });
    expect(broker.orderByRef('s2', 'entry')).toBeUndefined();
  });
});
