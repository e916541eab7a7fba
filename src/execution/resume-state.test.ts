import { describe, expect, it } from 'vitest';
import type { Fill, Order, Trade } from '../model/order.ts';
import type { ExecutionListener } from './broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';
import { ExecutionIds } from './execution-ids.ts';
import { PaperBroker } from './paper-broker.ts';
import { Portfolio } from './portfolio.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const MIN = 60_000;
const SYMBOLS = ['X', 'Y'];

/** A broker and its portfolio (ids of their own), telling `events` of every order, fill and trade. */
function account(events: string[]) {
  const ids = new ExecutionIds();
  const portfolio = new Portfolio(10_000, SYMBOLS.length, { ids });
  const listener: ExecutionListener = {
    onOrder: (o: Order) => events.push(`order ${o.id} ${o.status}`),
    onFill: (f: Fill) => events.push(`fill ${f.id} of ${f.orderId} at ${f.price}`),
    onTrade: (t: Trade) => events.push(`trade ${t.id} ${t.quantity} pnl ${t.pnl.toFixed(4)} bars ${t.bars}`),
  };
  const broker = new PaperBroker({
    portfolio,
    symbols: SYMBOLS,
    commission: perShareAndBpsCommission({ perShare: 0.01, bps: 1, minimum: 0 }),
    slippage: bpsSlippage(2),
    allowShort: true,
    listeners: [listener],
    ids,
  });
  return { ids, portfolio, broker };
}

const bar = (b: PaperBroker, symbolId: number, i: number, price: number) =>
  b.onBar(
    symbolId,
    { ts: T0 + i * MIN, open: price, high: price + 1, low: price - 1, close: price, volume: 1e9 },
    i,
  );

describe('a portfolio and broker put back from their state', () => {
  it('go on as if never stopped: the open round trip closes into the same trade, the working order fills with its id', () => {
    const before: string[] = [];
    const a = account(before);
    // Long X in two entries, a partial exit, short Y; a limit order left working.
    a.broker.submit({ strategy: 's', symbol: 'X', side: 'buy', quantity: 10, type: 'market' }, T0);
    bar(a.broker, 0, 1, 50);
    a.broker.submit({ strategy: 's', symbol: 'X', side: 'buy', quantity: 5, type: 'market' }, T0 + MIN);
    bar(a.broker, 0, 2, 52);
    a.broker.submit({ strategy: 's', symbol: 'X', side: 'sell', quantity: 3, type: 'market' }, T0 + 2 * MIN);
    bar(a.broker, 0, 3, 53);
    a.broker.submit({ strategy: 's', symbol: 'Y', side: 'sell', quantity: 4, type: 'market' }, T0 + 3 * MIN);
    bar(a.broker, 1, 3, 20);
    const working = a.broker.submit(
      { strategy: 's', symbol: 'X', side: 'sell', quantity: 12, type: 'limit', price: 56 },
      T0 + 3 * MIN,
    );
    a.portfolio.mark(0, 53.5);

    // What a live run commits, read back through JSON as a store keeps it.
    const state = JSON.parse(JSON.stringify(a.portfolio.state(SYMBOLS))) as ReturnType<Portfolio['state']>;
    const after: string[] = [];
    const b = account(after);
    b.portfolio.restore(state, SYMBOLS);
    b.broker.restoreWorking([working]);
    b.ids.nextOrder = a.ids.nextOrder;
    b.ids.nextFill = a.ids.nextFill;
    b.ids.nextTrade = a.ids.nextTrade;
    expect(b.portfolio.state(SYMBOLS)).toEqual(a.portfolio.state(SYMBOLS));
    expect(b.portfolio.equity()).toBe(a.portfolio.equity());
    expect(b.broker.openOrderCount).toBe(1);
    expect(after).toEqual([]);

    // The same bars and orders from here on, to both.
    const goOn = (x: ReturnType<typeof account>) => {
      bar(x.broker, 0, 4, 57); // the limit sell fills: X closes
      x.broker.submit({ strategy: 's', symbol: 'Y', side: 'buy', quantity: 4, type: 'market' }, T0 + 4 * MIN);
      bar(x.broker, 1, 5, 19); // Y covers
    };
    const mark = before.length;
    goOn(a);
    goOn(b);
    expect(after).toEqual(before.slice(mark));
    expect(after.filter((e) => e.startsWith('trade'))).toHaveLength(2);
    expect(b.portfolio.cash).toBe(a.portfolio.cash);
    expect(b.portfolio.hasPositions).toBe(false);
  });

  it('takes back only the open orders of its own account', () => {
    const b = account([]);
    const order = (id: number, over: Partial<Order>): Order => ({
      id,
      account: 'default',
      strategy: 's',
      symbol: 'X',
      side: 'buy',
      quantity: 1,
      type: 'market',
      tsCreated: T0,
      status: 'open',
      ...over,
    });
    b.broker.restoreWorking([
      order(1, {}),
      order(2, { status: 'filled' }),
      order(3, { account: 'other' }),
      order(4, { symbol: 'NOPE' }),
    ]);
    expect(b.broker.openOrderCount).toBe(1);
  });
});

describe('working orders put back with their managed fields', () => {
  const order = (id: number, over: Partial<Order>): Order => ({
    id,
    account: 'default',
    strategy: 's',
    symbol: 'X',
    side: 'buy',
    quantity: 10,
    type: 'limit',
    price: 50,
    tsCreated: T0,
    status: 'open',
    ref: `#${id}`,
    ...over,
  });

  it('keeps them in id order whatever order they come in, and an IOC order acts on its first bar after the resume', () => {
    const events: string[] = [];
    const b = account(events);
    b.broker.restoreWorking([
      order(7, { timeInForce: 'IOC', price: 40 }),
      order(3, { filledQuantity: 4, avgFillPrice: 49.5 }),
    ]);
    expect(b.broker.openOrders().map((o) => o.id)).toEqual([3, 7]);
    // Opens at 52, low 51: neither limit is reached; the IOC order is cancelled, the GTC one keeps working.
    bar(b.broker, 0, 1, 52);
    expect(events).toEqual(['order 7 cancelled']);
    expect(b.broker.openOrders()).toEqual([order(3, { filledQuantity: 4, avgFillPrice: 49.5 })]);
  });

  it('goes on with a part-filled order from its stored average: the rest fills and the average covers both', () => {
    const events: string[] = [];
    const b = account(events);
    b.broker.restoreWorking([order(3, { filledQuantity: 4, avgFillPrice: 49.5 })]);
    bar(b.broker, 0, 1, 50); // opens at 50, the limit: the 6 left fill at 50 (limits take no slippage)
    const filled = b.broker.orderByRef('s', '#3');
    // (4 x 49.5 + 6 x 50) / 10 = 49.8
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: 10, avgFillPrice: 49.8 });
  });
});
