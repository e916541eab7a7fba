import { describe, expect, it } from 'vitest';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';

const commissionOf = (opts: Partial<{ perShare: number; bps: number; minimum: number }>) =>
  perShareAndBpsCommission({ perShare: 0, bps: 0, minimum: 0, ...opts });

describe('perShareAndBpsCommission', () => {
  it('charges nothing when every term is zero', () => {
    expect(commissionOf({}).commission(1000, 50)).toBe(0);
  });

  it('charges per share', () => {
    expect(commissionOf({ perShare: 0.01 }).commission(250, 40)).toBe(2.5);
  });

  it('charges basis points of the notional', () => {
    // 200 x 25 = 5000 notional; 3 bps of it = 1.5.
    expect(commissionOf({ bps: 3 }).commission(200, 25)).toBe(1.5);
  });

  it('adds the per-share and the bps parts', () => {
    // 1000 x 0.005 = 5, plus 1 bp of 50 000 = 5.
    expect(commissionOf({ perShare: 0.005, bps: 1 }).commission(1000, 50)).toBe(10);
  });

  it('charges the minimum when the computed commission is below it', () => {
    // 10 x 0.005 + 1 bp of 500 = 0.1, below the minimum of 1.
    expect(commissionOf({ perShare: 0.005, bps: 1, minimum: 1 }).commission(10, 50)).toBe(1);
  });

  it('charges the computed commission when it is above the minimum', () => {
    expect(commissionOf({ perShare: 0.005, bps: 1, minimum: 1 }).commission(1000, 50)).toBe(10);
  });

  it('charges the minimum alone when only a minimum is set', () => {
    expect(commissionOf({ minimum: 2 }).commission(1, 10)).toBe(2);
  });
});

describe('bpsSlippage', () => {
  it('makes buys pay more and sells receive less', () => {
    const slip = bpsSlippage(10);
    expect(slip.apply('buy', 100)).toBe(100.1);
    expect(slip.apply('sell', 100)).toBe(99.9);
  });

  it('scales with the price', () => {
    const slip = bpsSlippage(2);
    expect(slip.apply('buy', 50)).toBe(50.01);
    expect(slip.apply('sell', 99)).toBeCloseTo(98.9802, 12);
  });

  it('leaves the price unchanged at zero bps', () => {
    const slip = bpsSlippage(0);
    expect(slip.apply('buy', 123.45)).toBe(123.45);
    expect(slip.apply('sell', 123.45)).toBe(123.45);
  });
});
