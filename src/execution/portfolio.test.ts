import { describe, expect, it } from 'vitest';
import type { Fill } from '../model/order.ts';
import { Portfolio } from './portfolio.ts';

const T0 = Date.UTC(2024, 0, 2);
const MIN = 60_000;

let fillId = 0;
/** A fill of strategy `s1` in symbol X (id 0) at T0 with no commission, unless told otherwise. */
function fill(f: Partial<Fill> & Pick<Fill, 'side' | 'quantity' | 'price'>): Fill {
  fillId++;
  return {
    id: fillId,
    orderId: fillId,
    account: 'default',
    strategy: 's1',
    symbol: 'X',
    commission: 0,
    ts: T0,
    ...f,
  };
}

/** A portfolio over symbols X (id 0) and Y (id 1). */
function portfolio(cash = 100_000): Portfolio {
  return new Portfolio(cash, 2);
}

describe('Portfolio cash', () => {
  it('pays the notional plus commission on a buy and receives the notional minus commission on a sell', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100, commission: 1 }), 0, 0);
    expect(p.cash).toBe(98_999);
    p.applyFill(fill({ side: 'sell', quantity: 10, price: 110, commission: 1.5 }), 0, 3);
    expect(p.cash).toBe(100_097.5);
    expect(p.initialCash).toBe(100_000);
    expect(p.hasPositions).toBe(false);
    expect(p.equity()).toBe(100_097.5);
  });
});

describe('Portfolio round trips', () => {
  it('closes a long round trip into one trade, net of both commissions', () => {
    const p = portfolio();
    expect(
      p.applyFill(fill({ side: 'buy', quantity: 10, price: 100, commission: 1, ts: T0 }), 0, 2),
    ).toBeUndefined();
    expect(p.position('s1', 'X')).toBe(10);
    const trade = p.applyFill(
      fill({ side: 'sell', quantity: 10, price: 110, commission: 1, ts: T0 + 5 * MIN }),
      0,
      7,
    );
    expect(trade).toEqual({
      id: 1,
      account: 'default',
      strategy: 's1',
      symbol: 'X',
      direction: 1,
      quantity: 10,
      entryTime: T0,
      entryPrice: 100,
      exitTime: T0 + 5 * MIN,
      exitPrice: 110,
      pnl: 98,
      commission: 2,
      bars: 5,
    });
    expect(p.position('s1', 'X')).toBe(0);
    expect(p.openPositions()).toEqual([]);
  });

  it('closes a short round trip with the profit of a falling price', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'sell', quantity: 10, price: 100, commission: 1, ts: T0 }), 0, 0);
    expect(p.position('s1', 'X')).toBe(-10);
    expect(p.cash).toBe(100_999);
    const trade = p.applyFill(
      fill({ side: 'buy', quantity: 10, price: 90, commission: 1, ts: T0 + MIN }),
      0,
      1,
    );
    expect(trade).toEqual({
      id: 1,
      account: 'default',
      strategy: 's1',
      symbol: 'X',
      direction: -1,
      quantity: 10,
      entryTime: T0,
      entryPrice: 100,
      exitTime: T0 + MIN,
      exitPrice: 90,
      pnl: 98,
      commission: 2,
      bars: 1,
    });
    expect(p.cash).toBe(100_098);
  });

  it('reports a losing short with a negative pnl', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'sell', quantity: 5, price: 20 }), 0, 0);
    const trade = p.applyFill(fill({ side: 'buy', quantity: 5, price: 26 }), 0, 1);
    expect(trade?.pnl).toBe(-30);
    expect(p.cash).toBe(99_970);
  });

  it('averages the exit price over partial exits and closes one trade at the last one', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100 }), 0, 0);
    expect(p.applyFill(fill({ side: 'sell', quantity: 4, price: 110 }), 0, 1)).toBeUndefined();
    expect(p.position('s1', 'X')).toBe(6);
    expect(p.openPositions()).toEqual([{ strategy: 's1', symbol: 'X', quantity: 6, avgPrice: 100 }]);
    const trade = p.applyFill(fill({ side: 'sell', quantity: 6, price: 120 }), 0, 2);
    // Exit (4 x 110 + 6 x 120) / 10 = 116; pnl 4 x 10 + 6 x 20 = 160.
    expect(trade).toMatchObject({
      direction: 1,
      quantity: 10,
      entryPrice: 100,
      exitPrice: 116,
      pnl: 160,
      bars: 2,
    });
    expect(p.cash).toBe(100_160);
  });

  it('averages the entry price when scaling in and reports the largest size held', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100 }), 0, 0);
    p.applyFill(fill({ side: 'buy', quantity: 30, price: 108 }), 0, 1);
    // (10 x 100 + 30 x 108) / 40 = 106.
    expect(p.openPositions()).toEqual([{ strategy: 's1', symbol: 'X', quantity: 40, avgPrice: 106 }]);
    const trade = p.applyFill(fill({ side: 'sell', quantity: 40, price: 110 }), 0, 4);
    expect(trade).toMatchObject({ quantity: 40, entryPrice: 106, exitPrice: 110, pnl: 160, bars: 4 });
  });

  it('realizes partial exits against the average price after scaling in again', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100 }), 0, 0);
    p.applyFill(fill({ side: 'sell', quantity: 5, price: 110 }), 0, 1);
    p.applyFill(fill({ side: 'buy', quantity: 5, price: 120 }), 0, 2);
    expect(p.openPositions()).toEqual([{ strategy: 's1', symbol: 'X', quantity: 10, avgPrice: 110 }]);
    const trade = p.applyFill(fill({ side: 'sell', quantity: 10, price: 130 }), 0, 3);
    // Bought 1000 + 600, sold 550 + 1300: pnl 250, entry 1600 / 15, exit 1850 / 15.
    expect(trade).toMatchObject({ quantity: 10, entryPrice: 1600 / 15, exitPrice: 1850 / 15, pnl: 250 });
    expect(p.cash).toBe(100_250);
  });

  it('reverses through zero in one fill: closes the long and opens a short with the rest, splitting the commission', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100, ts: T0 }), 0, 0);
    const closed = p.applyFill(
      fill({ side: 'sell', quantity: 20, price: 110, commission: 2, ts: T0 + MIN }),
      0,
      1,
    );
    expect(closed).toEqual({
      id: 1,
      account: 'default',
      strategy: 's1',
      symbol: 'X',
      direction: 1,
      quantity: 10,
      entryTime: T0,
      entryPrice: 100,
      exitTime: T0 + MIN,
      exitPrice: 110,
      pnl: 99,
      commission: 1,
      bars: 1,
    });
    expect(p.position('s1', 'X')).toBe(-10);
    expect(p.openPositions()).toEqual([{ strategy: 's1', symbol: 'X', quantity: -10, avgPrice: 110 }]);
    expect(p.cash).toBe(100_000 - 1000 + 2200 - 2);
    const short = p.applyFill(fill({ side: 'buy', quantity: 10, price: 105, ts: T0 + 3 * MIN }), 0, 3);
    expect(short).toEqual({
      id: 2,
      account: 'default',
      strategy: 's1',
      symbol: 'X',
      direction: -1,
      quantity: 10,
      entryTime: T0 + MIN,
      entryPrice: 110,
      exitTime: T0 + 3 * MIN,
      exitPrice: 105,
      pnl: 49,
      commission: 1,
      bars: 2,
    });
    expect(p.cash).toBe(100_148);
  });

  it('reverses a short into a long', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'sell', quantity: 5, price: 50 }), 0, 0);
    const closed = p.applyFill(fill({ side: 'buy', quantity: 8, price: 40 }), 0, 1);
    expect(closed).toMatchObject({ direction: -1, quantity: 5, entryPrice: 50, exitPrice: 40, pnl: 50 });
    expect(p.openPositions()).toEqual([{ strategy: 's1', symbol: 'X', quantity: 3, avgPrice: 40 }]);
  });
});

describe('Portfolio equity', () => {
  it('marks open positions at the last close of their symbol', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100, commission: 1 }), 0, 0);
    p.mark(0, 100);
    expect(p.equity()).toBe(99_999);
    p.mark(0, 120);
    expect(p.lastClose(0)).toBe(120);
    expect(p.equity()).toBe(98_999 + 1200);
  });

  it('marks a short position as a liability', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'sell', quantity: 10, price: 100 }), 0, 0);
    p.mark(0, 90);
    expect(p.equity()).toBe(101_000 - 900);
    p.mark(0, 115);
    expect(p.equity()).toBe(101_000 - 1150);
  });

  it('returns NaN as the last close before a symbol has a bar, and cash as equity with no position', () => {
    const p = portfolio(5000);
    expect(p.lastClose(1)).toBeNaN();
    p.mark(1, 33);
    expect(p.equity()).toBe(5000);
  });

  it('marks each symbol at its own last close', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 10, price: 100 }), 0, 0);
    p.applyFill(fill({ symbol: 'Y', side: 'buy', quantity: 4, price: 50 }), 1, 0);
    p.mark(0, 101);
    p.mark(1, 52);
    expect(p.equity()).toBe(100_000 - 1000 - 200 + 1010 + 208);
  });
});

describe('Portfolio per strategy', () => {
  it('keeps positions of two strategies in one symbol apart while they share the cash', () => {
    const p = portfolio();
    p.applyFill(fill({ strategy: 'a', side: 'buy', quantity: 10, price: 100 }), 0, 0);
    p.applyFill(fill({ strategy: 'b', side: 'sell', quantity: 5, price: 101 }), 0, 0);
    expect(p.position('a', 'X')).toBe(10);
    expect(p.position('b', 'X')).toBe(-5);
    expect(p.position('c', 'X')).toBe(0);
    expect(p.cash).toBe(100_000 - 1000 + 505);
    expect(p.openPositions()).toEqual([
      { strategy: 'a', symbol: 'X', quantity: 10, avgPrice: 100 },
      { strategy: 'b', symbol: 'X', quantity: -5, avgPrice: 101 },
    ]);
    // a selling its 10 closes a's trade only; b's short stays open.
    const trade = p.applyFill(fill({ strategy: 'a', side: 'sell', quantity: 10, price: 104 }), 0, 1);
    expect(trade).toMatchObject({ id: 1, strategy: 'a', direction: 1, quantity: 10, pnl: 40 });
    expect(p.position('b', 'X')).toBe(-5);
    expect(p.openPositions()).toEqual([{ strategy: 'b', symbol: 'X', quantity: -5, avgPrice: 101 }]);
    expect(p.cash).toBe(100_000 - 1000 + 505 + 1040);
    p.mark(0, 104);
    expect(p.equity()).toBe(100_545 - 520);
  });

  it('lists open positions by strategy, then symbol', () => {
    const p = portfolio();
    p.applyFill(fill({ strategy: 'b', symbol: 'Y', side: 'buy', quantity: 1, price: 10 }), 1, 0);
    p.applyFill(fill({ strategy: 'b', symbol: 'X', side: 'buy', quantity: 2, price: 10 }), 0, 0);
    p.applyFill(fill({ strategy: 'a', symbol: 'Y', side: 'buy', quantity: 3, price: 10 }), 1, 0);
    expect(p.openPositions().map((x) => `${x.strategy}/${x.symbol}/${x.quantity}`)).toEqual([
      'a/Y/3',
      'b/X/2',
      'b/Y/1',
    ]);
    expect(p.hasPositions).toBe(true);
  });

  it('numbers trades across strategies in the order they close', () => {
    const p = portfolio();
    p.applyFill(fill({ strategy: 'a', side: 'buy', quantity: 1, price: 10 }), 0, 0);
    p.applyFill(fill({ strategy: 'b', side: 'buy', quantity: 1, price: 10 }), 0, 0);
    expect(p.applyFill(fill({ strategy: 'b', side: 'sell', quantity: 1, price: 11 }), 0, 1)).toMatchObject({
      id: 1,
      account: 'default',
      strategy: 'b',
    });
    expect(p.applyFill(fill({ strategy: 'a', side: 'sell', quantity: 1, price: 12 }), 0, 2)).toMatchObject({
      id: 2,
      account: 'default',
      strategy: 'a',
      pnl: 2,
    });
  });
});

describe('Portfolio with fractional quantities', () => {
  it('closes the trade when the exit equals the sum of fractional entries (0.1 + 0.2 = 0.3)', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 0.1, price: 100 }), 0, 0);
    p.applyFill(fill({ side: 'buy', quantity: 0.2, price: 100 }), 0, 1);
    const trade = p.applyFill(fill({ side: 'sell', quantity: 0.3, price: 110 }), 0, 2);
    expect(trade).toMatchObject({ id: 1, direction: 1, quantity: 0.30000000000000004 });
    expect(trade?.pnl).toBeCloseTo(3, 12);
    expect(p.position('s1', 'X')).toBe(0);
    expect(p.openPositions()).toEqual([]);
    expect(p.hasPositions).toBe(false);
  });

  it('does not open a dust short when fractional partial exits add up to the position', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 0.3, price: 100 }), 0, 0);
    expect(p.applyFill(fill({ side: 'sell', quantity: 0.1, price: 100 }), 0, 1)).toBeUndefined();
    const trade = p.applyFill(fill({ side: 'sell', quantity: 0.2, price: 100 }), 0, 2);
    expect(trade).toMatchObject({ id: 1, direction: 1, quantity: 0.3 });
    expect(p.position('s1', 'X')).toBe(0);
    expect(p.openPositions()).toEqual([]);
  });

  it('still reverses when the opposite fill exceeds the position by more than rounding', () => {
    const p = portfolio();
    p.applyFill(fill({ side: 'buy', quantity: 0.3, price: 100 }), 0, 0);
    const trade = p.applyFill(fill({ side: 'sell', quantity: 0.5, price: 100 }), 0, 1);
    expect(trade).toMatchObject({ id: 1, quantity: 0.3 });
    expect(p.position('s1', 'X')).toBe(-0.2);
  });
});
