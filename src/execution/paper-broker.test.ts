// The paper broker on made-up bars: market, limit and stop fills, and the fill price rules.
import { describe, expect, it } from 'vitest';
import type { Order } from '../model/order.ts';
import { bar, MIN, req, setup, T0 } from './made-up-bars.fixture.ts';
import { fillPrice } from './paper-broker.ts';

describe('PaperBroker market orders', () => {
  it('accepts a market order open and fills it at the open of the next bar offered', () => {
    const { broker, sink, portfolio } = setup();
    const order = broker.submit(req({ signalReason: 'why' }), T0);
    expect(order).toEqual({
      id: 1,
      account: 'default',
      strategy: 's1',
      symbol: 'X',
      side: 'buy',
      quantity: 10,
      type: 'market',
      tsCreated: T0,
      status: 'open',
      signalReason: 'why',
      ref: '#1',
    });
    expect(broker.openOrderCount).toBe(1);
    expect(sink.fills).toEqual([]);
    // Bar t+1: opens at 101, trades 100-103, closes somewhere else; the fill is at its open.
    bar(broker, { ts: T0 + MIN, open: 101, high: 103, low: 100 }, 1);
    expect(sink.fills).toEqual([
      {
        id: 1,
        orderId: 1,
        account: 'default',
        strategy: 's1',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        price: 101,
        commission: 0,
        ts: T0 + MIN,
      },
    ]);
    expect(sink.finalOrders).toEqual([
      { ...order, status: 'filled', tsClosed: T0 + MIN, filledQuantity: 10, avgFillPrice: 101 },
    ]);
    expect(broker.openOrderCount).toBe(0);
    expect(portfolio.position('s1', 'X')).toBe(10);
    expect(portfolio.cash).toBe(98_990);
  });

  it('leaves an order for one symbol alone when a bar of another symbol arrives', () => {
    const { broker, sink } = setup();
    broker.submit(req({ symbol: 'Y' }), T0);
    bar(broker, { open: 50 }, 1, 0);
    expect(sink.fills).toEqual([]);
    expect(broker.openOrderCount).toBe(1);
    bar(broker, { open: 20 }, 1, 1);
    expect(sink.fills.map((f) => [f.symbol, f.price])).toEqual([['Y', 20]]);
  });

  it('applies slippage against the trader on market fills', () => {
    const { broker, sink } = setup({ slippageBps: 10, allowShort: true });
    broker.submit(req({ side: 'buy' }), T0);
    broker.submit(req({ side: 'sell', strategy: 's2' }), T0);
    bar(broker, { open: 100 });
    expect(sink.fills.map((f) => f.price)).toEqual([100.1, 99.9]);
  });

  it('charges commission per share plus bps with a minimum, and takes it from cash', () => {
    const { broker, sink, portfolio } = setup({ commission: { perShare: 0.005, bps: 1, minimum: 1 } });
    broker.submit(req({ quantity: 1000 }), T0);
    broker.submit(req({ quantity: 10 }), T0);
    bar(broker, { open: 50 });
    // 1000 x 0.005 + 1 bp of 50 000 = 10; 10 shares cost 0.1, below the minimum of 1.
    expect(sink.fills.map((f) => f.commission)).toEqual([10, 1]);
    expect(portfolio.cash).toBe(100_000 - 50_000 - 10 - 500 - 1);
  });
});

describe('PaperBroker limit orders', () => {
  it('fills a buy limit at the limit when the bar trades down to it, without slippage', () => {
    const { broker, sink } = setup({ slippageBps: 10 });
    broker.submit(req({ type: 'limit', price: 99 }), T0);
    bar(broker, { open: 100, high: 100.5, low: 98.5 });
    expect(sink.fills.map((f) => f.price)).toEqual([99]);
  });

  it('fills a buy limit at the open when the bar gaps below the limit', () => {
    const { broker, sink } = setup();
    broker.submit(req({ type: 'limit', price: 99 }), T0);
    bar(broker, { open: 97, high: 98, low: 96 });
    expect(sink.fills.map((f) => f.price)).toEqual([97]);
  });

  it('keeps a buy limit open across bars that do not reach it and fills it on a later bar', () => {
    const { broker, sink } = setup();
    const order = broker.submit(req({ type: 'limit', price: 99 }), T0);
    bar(broker, { ts: T0 + MIN, open: 100, high: 101, low: 99.5 }, 1);
    bar(broker, { ts: T0 + 2 * MIN, open: 99.8, high: 100, low: 99.01 }, 2);
    expect(sink.fills).toEqual([]);
    expect(broker.openOrderCount).toBe(1);
    bar(broker, { ts: T0 + 3 * MIN, open: 99.5, high: 99.9, low: 98 }, 3);
    expect(sink.fills.map((f) => [f.price, f.ts])).toEqual([[99, T0 + 3 * MIN]]);
    expect(sink.finalOrders).toEqual([
      { ...order, status: 'filled', tsClosed: T0 + 3 * MIN, filledQuantity: 10, avgFillPrice: 99 },
    ]);
  });

  it('fills a sell limit at the limit, or at the open when the bar gaps above it', () => {
    const { broker, sink } = setup({ allowShort: true, slippageBps: 10 });
    broker.submit(req({ side: 'sell', type: 'limit', price: 105 }), T0);
    bar(broker, { ts: T0 + MIN, open: 103, high: 104.99, low: 102 }, 1);
    expect(sink.fills).toEqual([]);
    bar(broker, { ts: T0 + 2 * MIN, open: 104, high: 106, low: 103 }, 2);
    broker.submit(req({ side: 'sell', type: 'limit', price: 105 }), T0 + 2 * MIN);
    bar(broker, { ts: T0 + 3 * MIN, open: 107, high: 108, low: 106 }, 3);
    expect(sink.fills.map((f) => [f.price, f.ts])).toEqual([
      [105, T0 + 2 * MIN],
      [107, T0 + 3 * MIN],
    ]);
  });
});

describe('PaperBroker stop orders', () => {
  it('fills a buy stop at the stop when the bar trades up through it, with slippage', () => {
    const { broker, sink } = setup({ slippageBps: 10 });
    broker.submit(req({ type: 'stop', price: 105 }), T0);
    bar(broker, { open: 104, high: 106, low: 103 });
    expect(sink.fills.map((f) => f.price)).toEqual([105 * (1 + 10 / 10_000)]);
  });

  it('fills a buy stop at the open when the bar gaps above it', () => {
    const { broker, sink } = setup();
    broker.submit(req({ type: 'stop', price: 105 }), T0);
    bar(broker, { open: 107, high: 108, low: 106 });
    expect(sink.fills.map((f) => f.price)).toEqual([107]);
  });

  it('keeps a buy stop open until a bar reaches it', () => {
    const { broker, sink } = setup();
    broker.submit(req({ type: 'stop', price: 105 }), T0);
    bar(broker, { ts: T0 + MIN, open: 104, high: 104.5, low: 103 }, 1);
    expect(broker.openOrderCount).toBe(1);
    bar(broker, { ts: T0 + 2 * MIN, open: 104.5, high: 105, low: 104 }, 2);
    expect(sink.fills.map((f) => [f.price, f.ts])).toEqual([[105, T0 + 2 * MIN]]);
  });

  it('fills a sell stop at the stop, or at the open when the bar gaps below it', () => {
    const { broker, sink } = setup({ allowShort: true });
    broker.submit(req({ side: 'sell', type: 'stop', price: 95 }), T0);
    bar(broker, { ts: T0 + MIN, open: 96, high: 97, low: 95.5 }, 1);
    expect(sink.fills).toEqual([]);
    bar(broker, { ts: T0 + 2 * MIN, open: 96, high: 96.5, low: 94 }, 2);
    broker.submit(req({ side: 'sell', type: 'stop', price: 95 }), T0 + 2 * MIN);
    bar(broker, { ts: T0 + 3 * MIN, open: 93, high: 94, low: 92 }, 3);
    expect(sink.fills.map((f) => [f.price, f.ts])).toEqual([
      [95, T0 + 2 * MIN],
      [93, T0 + 3 * MIN],
    ]);
  });

  it('slips a sell stop downwards', () => {
    const { broker, sink } = setup({ allowShort: true, slippageBps: 20 });
    broker.submit(req({ side: 'sell', type: 'stop', price: 50 }), T0);
    bar(broker, { open: 51, high: 51, low: 49 });
    expect(sink.fills.map((f) => f.price)).toEqual([50 * (1 - 20 / 10_000)]);
  });
});

describe('fillPrice', () => {
  const order = (side: 'buy' | 'sell', type: 'market' | 'limit' | 'stop', price?: number): Order => ({
    id: 1,
    account: 'default',
    strategy: 's',
    symbol: 'X',
    side,
    quantity: 1,
    type,
    tsCreated: 0,
    status: 'open',
    ...(price === undefined ? {} : { price }),
  });

  it('returns the open for market orders, the limit or a better open for limits, the stop or a worse open for stops', () => {
    // Bar: open 100, high 104, low 96.
    const at = (o: Order) => fillPrice(o, 100, 104, 96);
    expect(at(order('buy', 'market'))).toBe(100);
    expect(at(order('sell', 'market'))).toBe(100);
    expect(at(order('buy', 'limit', 98))).toBe(98);
    expect(at(order('buy', 'limit', 101))).toBe(100);
    expect(at(order('buy', 'limit', 95))).toBeUndefined();
    expect(at(order('sell', 'limit', 103))).toBe(103);
    expect(at(order('sell', 'limit', 99))).toBe(100);
    expect(at(order('sell', 'limit', 105))).toBeUndefined();
    expect(at(order('buy', 'stop', 102))).toBe(102);
    expect(at(order('buy', 'stop', 99))).toBe(100);
    expect(at(order('buy', 'stop', 105))).toBeUndefined();
    expect(at(order('sell', 'stop', 97))).toBe(97);
    expect(at(order('sell', 'stop', 101))).toBe(100);
    expect(at(order('sell', 'stop', 95))).toBeUndefined();
  });
});
