// The cost models of a fill: commission (per share plus basis points, with a minimum) and slippage.
import type { Side } from '../model/order.ts';

/** Computes the commission of one fill. */
export interface CommissionModel {
  commission(quantity: number, price: number): number;
}

/** Moves a fill price against the trader. */
export interface SlippageModel {
  apply(side: Side, price: number): number;
}

/** Commission per share plus basis points of notional, with a minimum per fill (all default 0). */
export function perShareAndBpsCommission(opts: {
  perShare: number;
  bps: number;
  minimum: number;
}): CommissionModel {
  const { perShare, bps, minimum } = opts;
  return {
    commission(quantity, price) {
      if (perShare === 0 && bps === 0 && minimum === 0) return 0;
      return Math.max(minimum, quantity * perShare + (quantity * price * bps) / 10_000);
    },
  };
}

/** Slippage of a fixed number of basis points: buys pay more, sells receive less. */
export function bpsSlippage(bps: number): SlippageModel {
  return {
    apply(side, price) {
      if (bps === 0) return price;
      return side === 'buy' ? price * (1 + bps / 10_000) : price * (1 - bps / 10_000);
    },
  };
}
