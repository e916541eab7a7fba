import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import type { Signal } from '../model/signal.ts';
import { AccountBook, type AccountTerms } from './accounts.ts';
import { OrderRefs } from './order-refs.ts';
import { RunRecorder } from './recorder.ts';
import { SignalRouter } from './signal-router.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 0);
const MIN = 60_000;

const terms = (name: string): AccountTerms => ({
  name,
  initial_cash: 100_000,
  commission: { per_share: 0, bps: 0, minimum: 0 },
  slippage_bps: 0,
  allow_short: true,
  intrabar: 'worst',
});

/** A router over real accounts `names` (symbol X), with strategy `s` routed to all of them in that order. */
function setup(names = ['default']) {
  const recorder = new RunRecorder({ runId: 'r' });
  const refs = new OrderRefs();
  const log = new MemoryLogger();
  const book = new AccountBook({ terms: names.map(terms), symbols: ['X'], listeners: [recorder, refs] });
  book.assign('s', names);
  book.assign('t', names);
  const router = new SignalRouter({ routes: book, recorder, refs, log });
  const bar = (price: number, ts = T0 + MIN) => {
    for (const a of book.all) {
      a.broker.onBar(0, { ts, open: price, high: price, low: price, close: price, volume: 1e9 }, 1);
      a.portfolio.mark(0, price);
    }
  };
  const send = (signal: Signal, strategy = 's') => router.route(strategy, signal, T0);
  return { recorder, refs, log, book, router, bar, send };
}

const limitBuy = (ref?: string): Signal => ({
  symbol: 'X',
  action: 'BUY',
  quantity: 10,
  orderType: 'limit',
  price: 95,
  ...(ref === undefined ? {} : { ref }),
});

describe('SignalRouter: order terms and refs', () => {
  it('passes every order term of a BUY or SELL to the broker', () => {
    const { recorder, send } = setup();
    send({
      symbol: 'X',
      action: 'BUY',
      quantity: 10,
      orderType: 'limit',
      price: 95,
      timeInForce: 'DAY',
      ref: 'entry',
      reason: 'dip',
    });
    expect(recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 's',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        type: 'limit',
        price: 95,
        tsCreated: T0,
        status: 'open',
        signalReason: 'dip',
        ref: 'entry',
        timeInForce: 'DAY',
      },
    ]);
  });

  it('cancels the order a ref names, in each account, and records the signal with its id in the first', () => {
    const { recorder, send, book } = setup(['default', 'b']);
    send(limitBuy('dip'));
    send({ symbol: 'X', action: 'CANCEL', ref: 'dip', reason: 'no longer' });
    expect(book.all.map((a) => a.broker.openOrderCount)).toEqual([0, 0]);
    expect(recorder.orders.map((o) => [o.id, o.account, o.status, o.reason])).toEqual([
      [1, 'default', 'cancelled', 'no longer'],
      [2, 'b', 'cancelled', 'no longer'],
    ]);
    expect(recorder.signals.at(-1)).toEqual({
      ts: T0,
      strategy: 's',
      signal: { symbol: 'X', action: 'CANCEL', ref: 'dip', reason: 'no longer' },
      orderId: 1,
    });
  });

  it('names an order sent without a ref #<id>, per account', () => {
    const { send, book } = setup(['default', 'b']);
    send(limitBuy());
    send({ symbol: 'X', action: 'REPLACE', ref: '#1', price: 94 });
    // #1 is the default account's order; the second account's copy is #2 and keeps its price.
    expect(book.all.map((a) => a.broker.openOrders().map((o) => [o.id, o.price]))).toEqual([
      [[1, 94]],
      [[2, 95]],
    ]);
  });

  it("replaces an order's price and quantity", () => {
    const { send, book } = setup();
    send(limitBuy('dip'));
    send({ symbol: 'X', action: 'REPLACE', ref: 'dip', price: 96, quantity: 12 });
    expect(book.primary.broker.openOrders()).toMatchObject([{ id: 1, ref: 'dip', price: 96, quantity: 12 }]);
  });

  it('keeps refs apart per strategy', () => {
    const { send, book } = setup();
    send(limitBuy('dip'), 's');
    send(limitBuy('dip'), 't');
    send({ symbol: 'X', action: 'CANCEL', ref: 'dip' }, 't');
    expect(book.primary.broker.openOrders().map((o) => [o.id, o.strategy])).toEqual([[1, 's']]);
  });

  it('rejects an order under a ref the strategy used already, even after that order filled', () => {
    const { send, recorder, bar, router } = setup();
    send({ symbol: 'X', action: 'BUY', quantity: 1, ref: 'a' });
    bar(100);
    send({ symbol: 'X', action: 'BUY', quantity: 1, ref: 'a' });
    expect(recorder.orders.at(-1)).toMatchObject({
      id: 2,
      status: 'rejected',
      riskRule: 'duplicate_ref',
      reason:
        'duplicate_ref: strategy s already sent an order named "a" in this run; give each order its own ref',
    });
    // The ref still names the first order, not the rejected one.
    send({ symbol: 'X', action: 'CANCEL', ref: 'a' });
    expect(recorder.signals.at(-1)?.orderId).toBe(1);
    expect(router.counts.rejections()).toEqual([{ strategy: 's', rule: 'duplicate_ref', count: 1 }]);
  });

  it('leaves a filled order as it is when a cancel arrives after the fill', () => {
    const { send, recorder, bar } = setup();
    send({ symbol: 'X', action: 'BUY', quantity: 1, ref: 'a' });
    bar(100);
    send({ symbol: 'X', action: 'CANCEL', ref: 'a' });
    expect(recorder.orders.map((o) => [o.id, o.status])).toEqual([[1, 'filled']]);
  });

  it('records a CANCEL or REPLACE naming no order, counts it, and logs the first three', () => {
    const { send, recorder, log, router } = setup();
    for (let k = 0; k < 5; k++) send({ symbol: 'X', action: 'CANCEL', ref: `ghost${k}` });
    send({ symbol: 'X', action: 'REPLACE', ref: 'ghost', price: 3 });
    expect(recorder.signals.map((s) => [s.signal.action, s.orderId])).toEqual([
      ['CANCEL', undefined],
      ['CANCEL', undefined],
      ['CANCEL', undefined],
      ['CANCEL', undefined],
      ['CANCEL', undefined],
      ['REPLACE', undefined],
    ]);
    expect(recorder.orders).toEqual([]);
    expect(router.counts.unknownRefsOf('s')).toBe(6);
    expect(log.records.map((e) => e.msg)).toEqual([
      'strategy s: CANCEL names no order of this strategy ("ghost0"); the signal is recorded and counted as invalid',
      'strategy s: CANCEL names no order of this strategy ("ghost1"); the signal is recorded and counted as invalid',
      'strategy s: CANCEL names no order of this strategy ("ghost2"); the signal is recorded and counted as invalid (further ones are only counted)',
    ]);
  });

  it('carries a CLOSE signal’s ref to its order', () => {
    const { send, recorder, bar } = setup();
    send({ symbol: 'X', action: 'BUY', quantity: 3 });
    bar(100);
    send({ symbol: 'X', action: 'CLOSE', ref: 'flat' });
    expect(recorder.orders.at(-1)).toMatchObject({ id: 2, side: 'sell', quantity: 3, ref: 'flat' });
  });

  it('knows the refs of orders a resumed run had placed', () => {
    const { send, recorder, router } = setup();
    router.learn([
      {
        id: 7,
        account: 'default',
        strategy: 's',
        symbol: 'X',
        side: 'buy',
        quantity: 1,
        type: 'market',
        tsCreated: T0,
        status: 'filled',
        ref: 'a',
      },
    ]);
    send({ symbol: 'X', action: 'CANCEL', ref: 'a' });
    expect(recorder.signals.at(-1)?.orderId).toBe(7);
    send({ symbol: 'X', action: 'BUY', quantity: 1, ref: 'a' });
    expect(recorder.orders.at(-1)).toMatchObject({ status: 'rejected', riskRule: 'duplicate_ref' });
  });
});
