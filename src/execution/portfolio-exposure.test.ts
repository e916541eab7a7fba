// The portfolio's figures the risk gate reads: net position, gross exposure, and a strategy's own value.
import { describe, expect, it } from 'vitest';
import type { Fill } from '../model/order.ts';
import { Portfolio } from './portfolio.ts';

const T0 = Date.UTC(2024, 0, 2);

let fillId = 0;
function fill(f: Partial<Fill> & Pick<Fill, 'side' | 'quantity' | 'price' | 'strategy'>): Fill {
  fillId++;
  return { id: fillId, orderId: fillId, account: 'default', symbol: 'X', commission: 0, ts: T0, ...f };
}

/** a: long 10 X at 100 (commission 1); b: short 4 X at 101 and long 5 Y at 20; X marked 105, Y 22. */
function book(): Portfolio {
  const p = new Portfolio(100_000, 2);
  p.applyFill(fill({ strategy: 'a', side: 'buy', quantity: 10, price: 100, commission: 1 }), 0, 0);
  p.applyFill(fill({ strategy: 'b', side: 'sell', quantity: 4, price: 101 }), 0, 0);
  p.applyFill(fill({ strategy: 'b', symbol: 'Y', side: 'buy', quantity: 5, price: 20 }), 1, 0);
  p.mark(0, 105);
  p.mark(1, 22);
  return p;
}

describe('Portfolio exposure figures', () => {
  it("sums a symbol's position over strategies", () => {
    const p = book();
    expect([p.netPosition('X'), p.netPosition('Y'), p.netPosition('Z')]).toEqual([6, 5, 0]);
  });

  it('sums absolute position values at the last closes, for the account or one strategy', () => {
    const p = book();
    // a: 10 x 105 = 1050; b: 4 x 105 + 5 x 22 = 420 + 110 = 530.
    expect([p.grossExposure(), p.grossExposure('a'), p.grossExposure('b'), p.grossExposure('c')]).toEqual([
      1580, 1050, 530, 0,
    ]);
  });

  it("values a strategy's trading: its cash flows and commissions plus its positions at the last closes", () => {
    const p = book();
    // a: -1000 - 1 + 10 x 105 = 49; b: +404 - 100 - 4 x 105 + 5 x 22 = -6.
    expect([p.strategyValue('a'), p.strategyValue('b'), p.strategyValue('c')]).toEqual([49, -6, 0]);
    p.applyFill(fill({ strategy: 'a', side: 'sell', quantity: 10, price: 103, commission: 1 }), 0, 1);
    // Flat: realized (103 - 100) x 10 - 2 commissions = 28.
    expect(p.strategyValue('a')).toBe(28);
    // The account's equity moves by the strategies' values together.
    expect(p.equity()).toBe(100_000 + 28 - 6);
  });
});
