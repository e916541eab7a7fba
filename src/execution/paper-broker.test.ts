import { describe, expect, it } from 'vitest';
import type { Fill, Order, Trade } from '../model/order.ts';
import type { ExecutionListener, OrderRequest } from './broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';
import { fillPrice, PaperBroker } from './paper-broker.ts';
import { Portfolio } from './portfolio.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const MIN = 60_000;

/** Keeps every event the broker reports, in order. */
class RecordingSink implements ExecutionListener {
  readonly orderEvents: Order[] = [];
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  onOrder(order: Order): void {
    this.orderEvents.push(order);
  }
  onFill(fill: Fill): void {
    this.fills.push(fill);
  }
  onTrade(trade: Trade): void {
    this.trades.push(trade);
  }
  /** Returns the latest state of each order, by id. */
  get finalOrders(): Order[] {
    const byId = new Map<number, Order>();
    for (const o of this.orderEvents) byId.set(o.id, o);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}

interface Setup {
  cash: number;
  allowShort: boolean;
  slippageBps: number;
  commission: { perShare: number; bps: number; minimum: number };
}

/** A paper broker over symbols X (id 0) and Y (id 1) with 100 000 cash, no costs and no shorting, unless told otherwise. */
function setup(o: Partial<Setup> = {}) {
  const s: Setup = {
    cash: 100_000,
    allowShort: false,
    slippageBps: 0,
    commission: { perShare: 0, bps: 0, minimum: 0 },
    ...o,
  };
  const portfolio = new Portfolio(s.cash, 2);
  const sink = new RecordingSink();
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X', 'Y'],
    commission: perShareAndBpsCommission(s.commission),
    slippage: bpsSlippage(s.slippageBps),
    allowShort: s.allowShort,
    listeners: [sink],
  });
  return { portfolio, sink, broker };
}

/** A market buy of 10 X by strategy s1, unless told otherwise. */
function req(r: Partial<OrderRequest> = {}): OrderRequest {
  return { strategy: 's1', symbol: 'X', side: 'buy', quantity: 10, type: 'market', ...r };
}

interface BarSpec {
  ts: number;
  open: number;
  high: number;
  low: number;
}

/** Offers a bar of X (unless `symbolId` says otherwise) to the broker; high and low default to the open. */
function bar(broker: PaperBroker, b: Partial<BarSpec> & Pick<BarSpec, 'open'>, step = 0, symbolId = 0): void {
  const spec: BarSpec = { ts: T0 + MIN, high: b.open, low: b.open, ...b };
  broker.onBar(
    symbolId,
    { ts: spec.ts, open: spec.open, high: spec.high, low: spec.low, close: spec.open, volume: 1e9 },
    step,
  );
}

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
