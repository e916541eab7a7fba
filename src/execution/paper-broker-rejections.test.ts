// The paper broker on made-up bars: orders it rejects (at submit and at the fill), and the record of every order.
import { describe, expect, it } from 'vitest';
import type { Order } from '../model/order.ts';
import type { OrderRequest } from './broker.ts';
import { bar, MIN, req, setup, T0 } from './made-up-bars.fixture.ts';

describe('PaperBroker rejections', () => {
  const rejectedAtSubmit = (r: Partial<OrderRequest>): Order => {
    const { broker, sink } = setup();
    const order = broker.submit(req(r), T0);
    expect(broker.openOrderCount).toBe(0);
    expect(sink.orderEvents).toEqual([order]);
    return order;
  };

  it('rejects an order for a symbol no data source provides', () => {
    expect(rejectedAtSubmit({ symbol: 'ZZZ' })).toMatchObject({
      id: 1,
      status: 'rejected',
      tsClosed: T0,
      reason: 'unknown symbol ZZZ: no data source provides it',
    });
  });

  it.each([
    [0, 'quantity must be a positive number (got 0)'],
    [-5, 'quantity must be a positive number (got -5)'],
    [Number.NaN, 'quantity must be a positive number (got NaN)'],
    [Number.POSITIVE_INFINITY, 'quantity must be a positive number (got Infinity)'],
  ])('rejects quantity %s', (quantity, reason) => {
    expect(rejectedAtSubmit({ quantity })).toMatchObject({ status: 'rejected', reason });
  });

  it('rejects limit and stop orders without a positive price', () => {
    expect(rejectedAtSubmit({ type: 'limit' })).toMatchObject({
      status: 'rejected',
      reason: 'a limit order needs a positive price (got none)',
    });
    expect(rejectedAtSubmit({ type: 'stop' })).toMatchObject({
      status: 'rejected',
      reason: 'a stop order needs a positive price (got none)',
    });
    expect(rejectedAtSubmit({ type: 'limit', price: 0 })).toMatchObject({
      status: 'rejected',
      reason: 'a limit order needs a positive price (got 0)',
    });
    expect(rejectedAtSubmit({ type: 'stop', price: Number.NaN })).toMatchObject({
      status: 'rejected',
      reason: 'a stop order needs a positive price (got NaN)',
    });
  });

  it('rejects a buy whose cost with commission exceeds the cash when it would fill, naming both amounts', () => {
    const { broker, sink, portfolio } = setup({
      cash: 1000,
      commission: { perShare: 0, bps: 0, minimum: 1 },
    });
    broker.submit(req({ quantity: 10 }), T0);
    bar(broker, { ts: T0 + MIN, open: 100 });
    expect(sink.fills).toEqual([]);
    expect(sink.finalOrders).toMatchObject([
      { id: 1, status: 'rejected', tsClosed: T0 + MIN, reason: 'insufficient cash: needs 1001, has 1000' },
    ]);
    expect(broker.openOrderCount).toBe(0);
    expect(portfolio.cash).toBe(1000);
  });

  it('fills a buy that costs exactly the cash', () => {
    const { broker, sink, portfolio } = setup({ cash: 1000 });
    broker.submit(req({ quantity: 10 }), T0);
    bar(broker, { open: 100 });
    expect(sink.fills.map((f) => f.price)).toEqual([100]);
    expect(portfolio.cash).toBe(0);
  });

  it('rejects a sell that would open a short when shorting is not allowed', () => {
    const { broker, sink, portfolio } = setup();
    broker.submit(req({ side: 'sell', quantity: 5 }), T0);
    bar(broker, { open: 100 });
    expect(sink.finalOrders).toMatchObject([
      {
        status: 'rejected',
        reason: 'selling 5 with 0 held would open a short position; set broker.allow_short to allow it',
      },
    ]);
    expect(portfolio.position('s1', 'X')).toBe(0);
    expect(portfolio.cash).toBe(100_000);
  });

  it('rejects a sell of more than is held, and accepts a sell of what is held', () => {
    const { broker, sink, portfolio } = setup();
    broker.submit(req({ quantity: 10 }), T0);
    bar(broker, { ts: T0 + MIN, open: 100 }, 1);
    broker.submit(req({ side: 'sell', quantity: 15 }), T0 + MIN);
    broker.submit(req({ side: 'sell', quantity: 10 }), T0 + MIN);
    bar(broker, { ts: T0 + 2 * MIN, open: 110 }, 2);
    expect(sink.finalOrders.map((o) => [o.id, o.status, o.reason])).toEqual([
      [1, 'filled', undefined],
      [
        2,
        'rejected',
        'selling 15 with 10 held would open a short position; set broker.allow_short to allow it',
      ],
      [3, 'filled', undefined],
    ]);
    expect(sink.trades).toMatchObject([
      { strategy: 's1', quantity: 10, entryPrice: 100, exitPrice: 110, pnl: 100, bars: 1 },
    ]);
    expect(portfolio.cash).toBe(100_100);
  });

  it('judges the short rule on the strategy’s own position, not on another strategy’s', () => {
    const { broker, sink } = setup();
    broker.submit(req({ strategy: 'a', quantity: 10 }), T0);
    bar(broker, { ts: T0 + MIN, open: 100 }, 1);
    broker.submit(req({ strategy: 'b', side: 'sell', quantity: 10 }), T0 + MIN);
    bar(broker, { ts: T0 + 2 * MIN, open: 100 }, 2);
    expect(sink.finalOrders.map((o) => o.status)).toEqual(['filled', 'rejected']);
  });

  it('lets fractional sells add up to the position without leaving a short behind', () => {
    const { broker, sink, portfolio } = setup();
    broker.submit(req({ quantity: 0.3 }), T0);
    bar(broker, { ts: T0 + MIN, open: 100 }, 1);
    broker.submit(req({ side: 'sell', quantity: 0.1 }), T0 + MIN);
    broker.submit(req({ side: 'sell', quantity: 0.2 }), T0 + MIN);
    bar(broker, { ts: T0 + 2 * MIN, open: 100 }, 2);
    expect(sink.finalOrders.map((o) => o.status)).toEqual(['filled', 'filled', 'filled']);
    expect(sink.trades).toMatchObject([{ id: 1, direction: 1, quantity: 0.3, pnl: 0 }]);
    expect(portfolio.position('s1', 'X')).toBe(0);
    expect(portfolio.openPositions()).toEqual([]);
  });

  it('opens a short when shorting is allowed', () => {
    const { broker, sink, portfolio } = setup({ allowShort: true });
    broker.submit(req({ side: 'sell', quantity: 5 }), T0);
    bar(broker, { open: 100 });
    expect(sink.finalOrders.map((o) => o.status)).toEqual(['filled']);
    expect(portfolio.position('s1', 'X')).toBe(-5);
    expect(portfolio.cash).toBe(100_500);
  });
});

describe('PaperBroker cancelAll and the record of orders', () => {
  it('cancels every open order with the reason given', () => {
    const { broker, sink } = setup();
    broker.submit(req({ type: 'limit', price: 50 }), T0);
    broker.submit(req({ symbol: 'Y' }), T0);
    expect(broker.openOrderCount).toBe(2);
    broker.cancelAll(T0 + 5 * MIN, 'run ended');
    expect(broker.openOrderCount).toBe(0);
    expect(sink.finalOrders.map((o) => [o.id, o.status, o.tsClosed, o.reason])).toEqual([
      [1, 'cancelled', T0 + 5 * MIN, 'run ended'],
      [2, 'cancelled', T0 + 5 * MIN, 'run ended'],
    ]);
    // A cancelled order never fills.
    bar(broker, { open: 40 });
    bar(broker, { open: 40 }, 0, 1);
    expect(sink.fills).toEqual([]);
  });

  it('reports every order with its final status, none dropped, in id order', () => {
    const { broker, sink } = setup({ cash: 2000 });
    broker.submit(req({ quantity: 10 }), T0); // 1: filled at 100
    broker.submit(req({ quantity: 10 }), T0); // 2: rejected, the cash is gone
    broker.submit(req({ symbol: 'Q' }), T0); // 3: rejected at submit
    broker.submit(req({ type: 'limit', price: 90 }), T0); // 4: never reached, cancelled
    broker.submit(req({ side: 'sell', quantity: 4 }), T0); // 5: filled, 10 held by then
    bar(broker, { ts: T0 + MIN, open: 150, high: 150, low: 100 }, 1);
    broker.cancelAll(T0 + MIN, 'run cancelled');
    const final = sink.finalOrders;
    expect(final.map((o) => [o.id, o.status])).toEqual([
      [1, 'filled'],
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'cancelled'],
      [5, 'filled'],
    ]);
    expect(final[1]?.reason).toBe('insufficient cash: needs 1500, has 500');
    expect(sink.fills.map((f) => [f.orderId, f.price])).toEqual([
      [1, 150],
      [5, 150],
    ]);
    // Every order was reported open first, except the one rejected at submit.
    expect(sink.orderEvents.filter((o) => o.status === 'open').map((o) => o.id)).toEqual([1, 2, 4, 5]);
    expect(broker.openOrderCount).toBe(0);
  });
});
