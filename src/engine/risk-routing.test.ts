import { describe, expect, it } from 'vitest';
import type { RiskConfig } from '../config/orders-config.ts';
import { parseSessionConfig } from '../config/session-config.ts';
import type { Order, OrderEvent } from '../model/order.ts';
import type { Signal } from '../model/signal.ts';
import { AccountBook, type AccountTerms } from './accounts.ts';
import { OrderRefs } from './order-refs.ts';
import { RunRecorder } from './recorder.ts';
import { SignalRouter } from './signal-router.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 0);
const MIN = 60_000;

function terms(name: string, risk?: RiskConfig): AccountTerms {
  return {
    name,
    initial_cash: 100_000,
    commission: { per_share: 0, bps: 0, minimum: 0 },
    slippage_bps: 0,
    allow_short: true,
    intrabar: 'worst',
    ...(risk === undefined ? {} : { risk }),
  };
}

/**
 * Real accounts (symbols X and Y, no costs, 100,000 cash) whose account limits are `account`, with strategy
 * `a` (limits `a`) and `b` routed to them, and a router; `bar` offers both symbols a flat bar at a price.
 */
function setup(o: { account?: RiskConfig; a?: RiskConfig; names?: string[] } = {}) {
  const recorder = new RunRecorder({ runId: 'r' });
  const refs = new OrderRefs();
  const events: string[] = [];
  const spy = {
    onOrder: (order: Order, event: OrderEvent, reason?: string) =>
      events.push(`${order.account} #${order.id} ${event}${reason === undefined ? '' : `: ${reason}`}`),
  };
  const listeners = [recorder, refs, spy];
  const names = o.names ?? ['default'];
  const book = new AccountBook({
    terms: names.map((n) => terms(n, o.account)),
    symbols: ['X', 'Y'],
    listeners,
  });
  book.assign('a', names, o.a);
  book.assign('b', names);
  const router = new SignalRouter({ routes: book, recorder, refs, listeners });
  let ts = T0;
  const bar = (x: number, y = 20) => {
    ts += MIN;
    for (const acc of book.all) {
      acc.broker.onBar(0, { ts, open: x, high: x, low: x, close: x, volume: 1e9 }, 1);
      acc.portfolio.mark(0, x);
      acc.broker.onBar(1, { ts, open: y, high: y, low: y, close: y, volume: 1e9 }, 1);
      acc.portfolio.mark(1, y);
    }
  };
  const send = (strategy: string, signal: Signal) => {
    router.route(strategy, signal, ts);
    return recorder.orders.at(-1)!;
  };
  const buy = (strategy: string, quantity: number, extra: Partial<Signal> = {}) =>
    send(strategy, { symbol: 'X', action: 'BUY', quantity, ...extra });
  const sell = (strategy: string, quantity: number, extra: Partial<Signal> = {}) =>
    send(strategy, { symbol: 'X', action: 'SELL', quantity, ...extra });
  const portfolio = book.primary.portfolio;
  return { recorder, book, router, bar, send, buy, sell, portfolio, events };
}

/** The status and reason of an order, as one pair. */
const verdict = (o: Order) => [o.status, o.riskRule, o.reason];

describe('risk limits in the router', () => {
  it('max_position_shares: refuses the order that would hold 101 shares, passes the one reaching 100', () => {
    const { bar, buy, sell, portfolio } = setup({ account: { max_position_shares: 100 } });
    bar(50);
    expect(verdict(buy('a', 60))).toEqual(['open', undefined, undefined]);
    bar(50);
    expect(verdict(buy('a', 40))).toEqual(['open', undefined, undefined]);
    bar(50);
    expect(portfolio.position('a', 'X')).toBe(100);
    expect(verdict(buy('a', 1))).toEqual([
      'rejected',
      'max_position_shares',
      'risk max_position_shares: 101 shares of X after this order, limit 100 (account default)',
    ]);
    // Shorting through flat to -101 is no reducing order: it is refused as well.
    expect(verdict(sell('a', 201))[1]).toBe('max_position_shares');
    expect(verdict(sell('a', 30))).toEqual(['open', undefined, undefined]);
  });

  it('max_position_shares of an account sums its strategies; a strategy limit counts its own position', () => {
    const { bar, buy } = setup({ account: { max_position_shares: 100 }, a: { max_position_shares: 50 } });
    bar(50);
    expect(verdict(buy('a', 51))).toEqual([
      'rejected',
      'max_position_shares',
      'risk max_position_shares: 51 shares of X after this order, limit 50 (strategy a)',
    ]);
    buy('a', 50);
    buy('b', 50);
    bar(50);
    // b has no limit of its own, but the account holds 100 shares of X now.
    expect(verdict(buy('b', 1))).toEqual([
      'rejected',
      'max_position_shares',
      'risk max_position_shares: 101 shares of X after this order, limit 100 (account default)',
    ]);
    // Account limits come first: an order breaking both names the account's.
    expect(verdict(buy('a', 1))[2]).toContain('(account default)');
  });

  it('max_position_notional: values the position at the last close', () => {
    const { bar, buy } = setup({ account: { max_position_notional: 5000 } });
    bar(50);
    expect(verdict(buy('a', 100))[0]).toBe('open');
    bar(50);
    expect(verdict(buy('a', 1))).toEqual([
      'rejected',
      'max_position_notional',
      'risk max_position_notional: 101 shares of X at 50 are 5050 after this order, limit 5000 (account default)',
    ]);
    bar(49.5);
    // 101 x 49.50 = 4999.50
    expect(verdict(buy('a', 1))[0]).toBe('open');
  });

  it('max_order_notional: values an order at the last close, or at its price when that is higher', () => {
    const { bar, buy, sell } = setup({ account: { max_order_notional: 1000 } });
    bar(50);
    expect(verdict(buy('a', 20))[0]).toBe('open');
    expect(verdict(buy('a', 21))).toEqual([
      'rejected',
      'max_order_notional',
      'risk max_order_notional: 21 shares of X at 50 are 1050, limit 1000 (account default)',
    ]);
    expect(verdict(buy('a', 20, { orderType: 'limit', price: 50.5 }))[2]).toBe(
      'risk max_order_notional: 20 shares of X at 50.5 are 1010, limit 1000 (account default)',
    );
    expect(verdict(buy('a', 20, { orderType: 'limit', price: 40 }))[0]).toBe('open');
    bar(50);
    // A reducing order passes every limit but this one.
    expect(verdict(sell('a', 21))[1]).toBe('max_order_notional');
    expect(verdict(sell('a', 20))[0]).toBe('open');
  });

  it('max_gross_exposure: sums every position at its last close (a strategy limit: its own only)', () => {
    const { bar, buy, send } = setup({
      account: { max_gross_exposure: 12_000 },
      a: { max_gross_exposure: 6000 },
    });
    bar(50, 20);
    buy('b', 100); // 5000 of X, b's
    send('a', { symbol: 'Y', action: 'BUY', quantity: 300 }); // 6000 of Y, a's
    bar(50, 20);
    expect(verdict(buy('a', 1))).toEqual([
      'rejected',
      'max_gross_exposure',
      'risk max_gross_exposure: gross exposure 6050 after this order, limit 6000 (strategy a)',
    ]);
    expect(verdict(buy('b', 20))[0]).toBe('open'); // 11000 + 1000 = 12000
    bar(50, 20);
    expect(verdict(buy('b', 1))).toEqual([
      'rejected',
      'max_gross_exposure',
      'risk max_gross_exposure: gross exposure 12050 after this order, limit 12000 (account default)',
    ]);
  });

  it("max_open_orders: counts the account's working orders, or the strategy's own", () => {
    const { bar, buy, sell } = setup({ account: { max_open_orders: 3 }, a: { max_open_orders: 2 } });
    bar(50);
    buy('a', 10, { orderType: 'limit', price: 40 });
    buy('a', 10, { orderType: 'limit', price: 41 });
    expect(verdict(buy('a', 10, { orderType: 'limit', price: 42 }))).toEqual([
      'rejected',
      'max_open_orders',
      'risk max_open_orders: 2 orders working, this one would be 3, limit 2 (strategy a)',
    ]);
    expect(verdict(buy('b', 10, { orderType: 'limit', price: 42 }))[0]).toBe('open');
    expect(verdict(buy('b', 10, { orderType: 'limit', price: 43 }))[2]).toBe(
      'risk max_open_orders: 3 orders working, this one would be 4, limit 3 (account default)',
    );
    // b buys at market: its order is the 4th, refused; a fill at 39 fills all but the market order then.
    expect(verdict(buy('b', 5))[1]).toBe('max_open_orders');
    bar(39);
    buy('b', 5);
    bar(39);
    expect(verdict(sell('b', 5))[0]).toBe('open'); // a's and b's limits filled: 1 working now
  });

  it('daily_loss_limit: halts new entries once the session lost more, lets reducing orders pass, lifts next session', () => {
    const { bar, buy, sell, send, book, portfolio } = setup({ account: { daily_loss_limit: 1000 } });
    bar(50);
    buy('a', 100);
    bar(50);
    bar(40.01); // 100 x 9.99 = 999 lost: not more than the limit
    expect(verdict(send('b', { symbol: 'Y', action: 'BUY', quantity: 1 }))[0]).toBe('open');
    bar(39.99, 20); // 100 x 10.01 = 1001 lost
    expect(portfolio.equity()).toBe(98_999);
    expect(verdict(send('b', { symbol: 'Y', action: 'BUY', quantity: 1 }))).toEqual([
      'rejected',
      'daily_loss_limit',
      'risk daily_loss_limit: lost 1001 since the session opened (100000 then, 98999 now); new entries halted until the next session, limit 1000 (account default)',
    ]);
    bar(45, 20); // back to a 500 loss: still halted for the session
    expect(verdict(buy('a', 1))[1]).toBe('daily_loss_limit');
    expect(verdict(sell('a', 50))[0]).toBe('open');
    bar(45, 20);
    book.newSession();
    expect(verdict(buy('a', 1))[0]).toBe('open');
  });

  it("daily_loss_limit of a strategy: its own realized and unrealized P&L since the session's start", () => {
    const { bar, buy, sell, send, book } = setup({ a: { daily_loss_limit: 300 } });
    bar(50, 20);
    buy('a', 100);
    buy('b', 1000);
    bar(50, 20);
    bar(47, 20); // a: -300 unrealized, not more than 300; b's loss of 3000 is no concern of a's
    expect(verdict(send('a', { symbol: 'Y', action: 'BUY', quantity: 1 }))[0]).toBe('open');
    sell('a', 50);
    bar(46.98, 20); // a sold 50 at 46.98: realized -151, unrealized 50 x -3.02 = -151, Y flat at 20
    expect(book.primary.portfolio.strategyValue('a')).toBe(-302);
    expect(verdict(buy('a', 1))[2]).toBe(
      'risk daily_loss_limit: lost 302 since the session opened (0 then, -302 now); new entries halted until the next session, limit 300 (strategy a)',
    );
    expect(verdict(buy('b', 1))[0]).toBe('open');
    book.newSession();
    expect(verdict(buy('a', 1))[0]).toBe('open');
  });

  it('checks each account an order goes to with its own positions', () => {
    const { bar, buy, recorder } = setup({
      names: ['default', 'second'],
      account: { max_position_shares: 100 },
    });
    bar(50);
    buy('a', 100);
    bar(50);
    buy('a', 1);
    expect(recorder.orders.slice(-2).map((o) => [o.account, o.status, o.riskRule])).toEqual([
      ['default', 'rejected', 'max_position_shares'],
      ['second', 'rejected', 'max_position_shares'],
    ]);
  });

  it('refuses a REPLACE that grows an order past a limit: the order stays, its listeners hear why', () => {
    const { bar, buy, send, events, book } = setup({ account: { max_position_shares: 100 } });
    bar(50);
    buy('a', 90);
    bar(50);
    const order = buy('a', 5, { orderType: 'limit', price: 45, ref: 'dip' });
    send('a', { symbol: 'X', action: 'REPLACE', ref: 'dip', quantity: 20 });
    expect(events.at(-1)).toBe(
      `default #${order.id} replace_rejected: risk max_position_shares: 105 shares of X after this order, limit 100 (account default)`,
    );
    expect(book.primary.broker.openOrders('a')).toEqual([order]);
    send('a', { symbol: 'X', action: 'REPLACE', ref: 'dip', quantity: 10, price: 44 });
    expect(book.primary.broker.openOrders('a')).toMatchObject([{ id: order.id, quantity: 10, price: 44 }]);
  });

  it('counts refusals per strategy and rule', () => {
    const { bar, buy, router } = setup({ account: { max_order_notional: 100 }, a: { max_open_orders: 1 } });
    bar(10);
    buy('a', 11);
    buy('a', 11);
    buy('b', 11);
    buy('a', 5, { orderType: 'limit', price: 9 });
    buy('a', 5, { orderType: 'limit', price: 9 });
    expect(router.counts.rejections()).toEqual([
      { strategy: 'a', rule: 'max_open_orders', count: 1 },
      { strategy: 'a', rule: 'max_order_notional', count: 2 },
      { strategy: 'b', rule: 'max_order_notional', count: 1 },
    ]);
  });

  it('is inactive, and checks nothing, when no limit is set', () => {
    const { book, bar, buy } = setup({ account: {} });
    expect(book.all.map((a) => a.risk.active)).toEqual([false]);
    bar(50);
    expect(verdict(buy('a', 1e6))[0]).toBe('open');
  });
});

describe('risk config', () => {
  const base = { data: [{ symbol: 'X', file: 'x.csv' }] };
  it.each([
    [{ strategies: [{ module: 'm', risk: { max_open_orders: 0 } }] }, 'strategies[0].risk.max_open_orders'],
    [{ strategies: [{ module: 'm', risk: { max_open_orders: 1.5 } }] }, 'strategies[0].risk.max_open_orders'],
    [
      { strategies: [{ module: 'm' }], broker: { risk: { daily_loss_limit: -5 } } },
      'broker.risk.daily_loss_limit',
    ],
    [
      { strategies: [{ module: 'm' }], accounts: [{ name: 'x', risk: { max_shares: 5 } }] },
      'accounts[0].risk: Unrecognized key: "max_shares"',
    ],
  ])('names the path of a bad limit (%#)', (config, path) => {
    expect(() => parseSessionConfig({ ...base, ...config })).toThrow(path);
  });
});
