import { describe, expect, it } from 'vitest';
import { bpsSlippage, perShareAndBpsCommission } from '../execution/costs.ts';
import { PaperBroker } from '../execution/paper-broker.ts';
import { Portfolio } from '../execution/portfolio.ts';
import type { Signal } from '../model/signal.ts';
import { RunRecorder } from './recorder.ts';
import { OrderRefs } from './order-refs.ts';
import { SignalRouter } from './signal-router.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 0);
const MIN = 60_000;

/** A router over a real paper broker (symbols X and Y, shorting allowed unless told otherwise), portfolio and recorder. */
function setup(o: { allowShort?: boolean } = {}) {
  const portfolio = new Portfolio(100_000, 2);
  const recorder = new RunRecorder({ runId: 'r' });
  const refs = new OrderRefs();
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X', 'Y'],
    commission: perShareAndBpsCommission({ perShare: 0, bps: 0, minimum: 0 }),
    slippage: bpsSlippage(0),
    allowShort: o.allowShort ?? true,
    listeners: [recorder, refs],
  });
  const account = { name: 'default', broker, portfolio };
  const router = new SignalRouter({ routes: { of: () => [account] }, recorder, refs });
  /** Offers X a bar opening at `open`, which fills pending market orders. */
  const fillAt = (open: number, ts = T0 + MIN) =>
    broker.onBar(0, { ts, open, high: open, low: open, close: open, volume: 1e9 }, 1);
  return { portfolio, recorder, broker, router, fillAt };
}

describe('SignalRouter', () => {
  it('turns BUY into a market buy of the signal quantity and records the signal with its order id', () => {
    const { router, recorder } = setup();
    const signal: Signal = { symbol: 'X', action: 'BUY', quantity: 10, reason: 'cross up', confidence: 0.7 };
    router.route('s1', signal, T0);
    expect(recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 's1',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        type: 'market',
        tsCreated: T0,
        status: 'open',
        signalReason: 'cross up',
        ref: '#1',
      },
    ]);
    expect(recorder.signals).toEqual([{ ts: T0, strategy: 's1', signal, orderId: 1 }]);
  });

  it('turns SELL into a sell order', () => {
    const { router, recorder } = setup();
    router.route('s1', { symbol: 'Y', action: 'SELL', quantity: 3 }, T0);
    expect(recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 's1',
        symbol: 'Y',
        side: 'sell',
        quantity: 3,
        type: 'market',
        tsCreated: T0,
        status: 'open',
        ref: '#1',
      },
    ]);
  });

  it('carries the price of limit and stop signals and drops the informational price of market signals', () => {
    const { router, recorder } = setup();
    router.route('s1', { symbol: 'X', action: 'BUY', quantity: 1, orderType: 'limit', price: 99.5 }, T0);
    router.route('s1', { symbol: 'X', action: 'SELL', quantity: 1, orderType: 'stop', price: 95 }, T0);
    router.route('s1', { symbol: 'X', action: 'BUY', quantity: 1, price: 101 }, T0);
    expect(recorder.orders.map((o) => [o.id, o.type, o.price])).toEqual([
      [1, 'limit', 99.5],
      [2, 'stop', 95],
      [3, 'market', undefined],
    ]);
    expect(recorder.orders[2]).not.toHaveProperty('price');
  });

  it('submits a BUY without a quantity, which the broker rejects with a reason', () => {
    const { router, recorder } = setup();
    router.route('s1', { symbol: 'X', action: 'BUY' }, T0);
    expect(recorder.orders).toMatchObject([
      { id: 1, status: 'rejected', reason: 'quantity must be a positive number (got NaN)' },
    ]);
    expect(recorder.signals).toMatchObject([{ orderId: 1 }]);
  });

  it('records CLOSE while flat as a signal without an order', () => {
    const { router, recorder, broker } = setup();
    router.route('s1', { symbol: 'X', action: 'CLOSE', reason: 'exit' }, T0);
    expect(recorder.orders).toEqual([]);
    expect(broker.openOrderCount).toBe(0);
    expect(recorder.signals).toEqual([
      { ts: T0, strategy: 's1', signal: { symbol: 'X', action: 'CLOSE', reason: 'exit' } },
    ]);
    expect(recorder.signals[0]).not.toHaveProperty('orderId');
  });

  it('turns CLOSE of a long into a sell of the whole position, and of a short into a buy', () => {
    const { router, recorder, fillAt, portfolio } = setup();
    router.route('long', { symbol: 'X', action: 'BUY', quantity: 7 }, T0);
    router.route('short', { symbol: 'X', action: 'SELL', quantity: 4 }, T0);
    fillAt(100);
    expect([portfolio.position('long', 'X'), portfolio.position('short', 'X')]).toEqual([7, -4]);
    router.route('long', { symbol: 'X', action: 'CLOSE', reason: 'done' }, T0 + MIN);
    router.route('short', { symbol: 'X', action: 'CLOSE' }, T0 + MIN);
    expect(
      recorder.orders.slice(2).map((o) => [o.id, o.strategy, o.side, o.quantity, o.type, o.signalReason]),
    ).toEqual([
      [3, 'long', 'sell', 7, 'market', 'done'],
      [4, 'short', 'buy', 4, 'market', undefined],
    ]);
    fillAt(90, T0 + 2 * MIN);
    expect([portfolio.position('long', 'X'), portfolio.position('short', 'X')]).toEqual([0, 0]);
    expect(recorder.trades.map((t) => [t.strategy, t.pnl])).toEqual([
      ['long', -70],
      ['short', 40],
    ]);
  });

  it('closes only the signalling strategy’s position', () => {
    const { router, recorder, fillAt } = setup();
    router.route('a', { symbol: 'X', action: 'BUY', quantity: 5 }, T0);
    router.route('b', { symbol: 'X', action: 'BUY', quantity: 2 }, T0);
    fillAt(10);
    router.route('b', { symbol: 'X', action: 'CLOSE' }, T0 + MIN);
    expect(recorder.orders.at(-1)).toMatchObject({ id: 3, strategy: 'b', side: 'sell', quantity: 2 });
  });

  it('records HOLD without an order', () => {
    const { router, recorder } = setup();
    router.route('s1', { symbol: 'X', action: 'HOLD', quantity: 5 }, T0);
    expect(recorder.orders).toEqual([]);
    expect(recorder.signals).toEqual([
      { ts: T0, strategy: 's1', signal: { symbol: 'X', action: 'HOLD', quantity: 5 } },
    ]);
  });

  it('never meets an unknown action (signals are checked where they leave the strategy): one is a bug', () => {
    const { router, recorder } = setup();
    const odd = { symbol: 'X', action: 'SHORT', quantity: 1 } as unknown as Signal;
    expect(() => router.route('s1', odd, T0)).toThrow(
      expect.objectContaining({ code: 'TF_ERR_INTERNAL', message: 'unexpected signal action: SHORT' }),
    );
    expect([recorder.orders, recorder.signals]).toEqual([[], []]);
  });

  it('numbers orders in the order signals are routed', () => {
    const { router, recorder } = setup();
    router.route('b', { symbol: 'X', action: 'BUY', quantity: 1 }, T0);
    router.route('a', { symbol: 'Y', action: 'BUY', quantity: 1 }, T0);
    router.route('b', { symbol: 'Y', action: 'SELL', quantity: 1 }, T0);
    expect(recorder.signals.map((s) => [s.strategy, s.orderId])).toEqual([
      ['b', 1],
      ['a', 2],
      ['b', 3],
    ]);
  });
});
