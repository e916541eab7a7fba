// The context's order and sizing calls: refs, cancel and replace signals, and target quantity and percent
// sized by hand from real closes of the bundled ORCL file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TradeflowError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Order } from '../../model/order.ts';
import { type ContextSource, strategyContext } from './context.ts';
import { OrderBook } from './order-book.ts';

/** The close of each of the last rows of the bundled ORCL file, by date. */
function orclCloses(): Map<string, number> {
  const text = readFileSync(resolve(import.meta.dirname, '../../../data/daily/orcl-1995-2014.txt'), 'utf8');
  const rows = text.trim().split('\n').slice(-3);
  return new Map(rows.map((r) => [r.split(',')[0]!, Number(r.split(',')[4])]));
}

function source(o: { equity: number; close: number; position?: number; book?: OrderBook }): ContextSource {
  const book = o.book ?? new OrderBook();
  return {
    name: 's',
    log: silentLogger,
    subscribes: () => false,
    series: () => undefined,
    quality: () => 100,
    calendar: () => undefined,
    position: (symbol) => (symbol === 'ORCL' ? (o.position ?? 0) : 0),
    cash: () => o.equity,
    equity: () => o.equity,
    lastClose: (symbol) => (symbol === 'ORCL' ? o.close : Number.NaN),
    openOrders: () => book.orders(),
    now: () => 0,
  };
}

describe('ctx.targetPercent and ctx.targetQuantity', () => {
  const closes = orclCloses();
  // 2014-12-31: 44.970001; 2014-12-30: 45.340000 (the file's Close column).
  const last = closes.get('2014-12-31')!;
  const before = closes.get('2014-12-30')!;

  it('reads the closes it sizes from', () => {
    expect([last, before]).toEqual([44.970001, 45.34]);
  });

  it('sizes 10 % of 100 000.00 at 44.970001 to 222 shares, whole shares toward zero', () => {
    // 10 000.00 / 44.970001 = 222.37...: 222 x 44.970001 = 9 983.34 fits, 223 would be 10 028.31.
    const ctx = strategyContext(source({ equity: 100_000, close: last }));
    expect(ctx.targetPercent('ORCL', 0.1)).toEqual({ symbol: 'ORCL', action: 'BUY', quantity: 222 });
    expect(ctx.targetPercent('ORCL', -0.1)).toEqual({ symbol: 'ORCL', action: 'SELL', quantity: 222 });
    expect(ctx.targetPercent('ORCL', 0.1, { lot: 100 })).toEqual({
      symbol: 'ORCL',
      action: 'BUY',
      quantity: 200,
    });
  });

  it('takes the position held into account, short targets included, and returns none at the target', () => {
    const held = strategyContext(source({ equity: 100_000, close: last, position: 100 }));
    expect(held.targetPercent('ORCL', 0.1)).toEqual({ symbol: 'ORCL', action: 'BUY', quantity: 122 });
    expect(held.targetPercent('ORCL', -0.1)).toEqual({ symbol: 'ORCL', action: 'SELL', quantity: 322 });
    expect(held.targetPercent('ORCL', 0)).toEqual({ symbol: 'ORCL', action: 'SELL', quantity: 100 });
    const there = strategyContext(source({ equity: 100_000, close: last, position: 222 }));
    expect(there.targetPercent('ORCL', 0.1)).toBeUndefined();
  });

  it('rounds the target value to cents before it divides: 3.33 % of 123 456.78 at 45.34 is 90 shares', () => {
    // 0.0333 x 123 456.78 = 4 111.110774 -> 4 111.11; / 45.34 = 90.67 -> 90.
    const ctx = strategyContext(source({ equity: 123_456.78, close: before }));
    expect(ctx.targetPercent('ORCL', 0.0333, { orderType: 'limit', price: 45, reason: 'rebalance' })).toEqual(
      { symbol: 'ORCL', action: 'BUY', quantity: 90, orderType: 'limit', price: 45, reason: 'rebalance' },
    );
    // 100 shares at 45.34 are 4 534.00 exactly: 10 % of 45 340.00 is 100, not 99 (a float a hair short).
    const exact = strategyContext(source({ equity: 45_340, close: before }));
    expect(exact.targetPercent('ORCL', 0.1)).toEqual({ symbol: 'ORCL', action: 'BUY', quantity: 100 });
  });

  it('takes a position to a number of shares, in lots', () => {
    const ctx = strategyContext(source({ equity: 100_000, close: last, position: 100 }));
    expect([
      ctx.targetQuantity('ORCL', 250),
      ctx.targetQuantity('ORCL', -50),
      ctx.targetQuantity('ORCL', 250, { lot: 100 }),
      ctx.targetQuantity('ORCL', 100),
      ctx.targetQuantity('ORCL', 199, { lot: 100 }),
    ]).toEqual([
      { symbol: 'ORCL', action: 'BUY', quantity: 150 },
      { symbol: 'ORCL', action: 'SELL', quantity: 150 },
      { symbol: 'ORCL', action: 'BUY', quantity: 100 },
      undefined,
      undefined,
    ]);
  });

  it('refuses to size from a symbol without a close, naming the call', () => {
    const ctx = strategyContext(source({ equity: 100_000, close: last }));
    expect(() => ctx.targetPercent('MSFT', 0.1)).toThrow(
      new TradeflowError(
        'TF_ERR_SUBSCRIPTION',
        "strategy s: targetPercent(MSFT) needs the symbol's last close, and it has none yet; call it once the symbol has a bar",
      ),
    );
  });
});

describe('ctx.order, ctx.cancel and ctx.replace', () => {
  const working = (id: number, ref: string): Order => ({
    id,
    account: 'default',
    strategy: 's',
    symbol: 'ORCL',
    side: 'buy',
    quantity: 10,
    type: 'limit',
    price: 40,
    tsCreated: 0,
    status: 'open',
    ref,
  });

  it('gives each order a fresh ref, skipping refs the strategy named and orders of its book hold', () => {
    const book = new OrderBook();
    book.seed([working(7, 'o2')]);
    const ctx = strategyContext(source({ equity: 100_000, close: 40, book }));
    const refs = [
      ctx.order({ symbol: 'ORCL', action: 'BUY', quantity: 1 }).ref,
      ctx.order({ symbol: 'ORCL', action: 'BUY', quantity: 1, ref: 'o3' }).ref,
      ctx.order({ symbol: 'ORCL', action: 'BUY', quantity: 1 }).ref,
    ];
    expect(refs).toEqual(['o1', 'o3', 'o4']);
  });

  it('names the order to cancel or replace by its ref, from its own orders or its book', () => {
    const book = new OrderBook();
    book.seed([working(7, 'entry')]);
    const ctx = strategyContext(source({ equity: 100_000, close: 40, book }));
    expect(ctx.cancel('entry', 'stale')).toEqual({
      symbol: 'ORCL',
      action: 'CANCEL',
      ref: 'entry',
      reason: 'stale',
    });
    expect(ctx.replace('entry', { price: 41 })).toEqual({
      symbol: 'ORCL',
      action: 'REPLACE',
      ref: 'entry',
      price: 41,
    });
    expect(() => ctx.cancel('nope')).toThrow(
      new TradeflowError(
        'TF_ERR_ORDER_REF',
        'strategy s: no order named "nope"; name an order this strategy sent (ctx.order returns its ref, onOrder reports it)',
      ),
    );
  });
});
