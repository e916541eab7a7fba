// The risk gate over a real paper broker and portfolio: when it is active, and what it checks on a REPLACE.
import { describe, expect, it } from 'vitest';
import type { RiskConfig } from '../config/orders-config.ts';
import type { OrderRequest } from './broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';
import { PaperBroker } from './paper-broker.ts';
import { Portfolio } from './portfolio.ts';
import { RiskGate } from './risk.ts';

const T0 = Date.UTC(2024, 0, 2, 15, 0);

function gate(limits?: RiskConfig) {
  const portfolio = new Portfolio(10_000, 1);
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X'],
    commission: perShareAndBpsCommission({ perShare: 0, bps: 0, minimum: 0 }),
    slippage: bpsSlippage(0),
    allowShort: true,
    listeners: [],
  });
  const risk = new RiskGate({
    account: { name: 'default', broker, portfolio },
    symbolId: (s) => (s === 'X' ? 0 : -1),
    ...(limits === undefined ? {} : { limits }),
  });
  const bar = (price: number) => {
    broker.onBar(0, { ts: T0, open: price, high: price, low: price, close: price, volume: 1e9 }, 1);
    portfolio.mark(0, price);
  };
  return { risk, broker, portfolio, bar };
}

const buy = (quantity: number, o: Partial<OrderRequest> = {}): OrderRequest => ({
  strategy: 's',
  symbol: 'X',
  side: 'buy',
  quantity,
  type: 'market',
  ...o,
});

describe('RiskGate', () => {
  it('is active only with a limit, of the account or of a strategy', () => {
    expect(gate().risk.active).toBe(false);
    expect(gate({}).risk.active).toBe(false);
    const g = gate();
    g.risk.addStrategy('s', {});
    expect(g.risk.active).toBe(false);
    g.risk.addStrategy('s', { max_open_orders: 1 });
    expect(g.risk.active).toBe(true);
    expect(gate({ max_open_orders: 1 }).risk.active).toBe(true);
  });

  it("checks a strategy's limits only on its own orders", () => {
    const { risk, bar } = gate();
    risk.addStrategy('s', { max_order_notional: 100 });
    bar(10);
    expect(risk.check(buy(11))).toEqual({
      rule: 'max_order_notional',
      reason: 'risk max_order_notional: 11 shares of X at 10 are 110, limit 100 (strategy s)',
    });
    expect(risk.check(buy(11, { strategy: 't' }))).toBeUndefined();
  });

  it('counts only the shares a REPLACE adds toward the position, and no new open order', () => {
    const { risk, broker, bar } = gate({ max_position_shares: 100, max_open_orders: 1 });
    bar(10);
    broker.submit(buy(60), T0);
    bar(10);
    const working = broker.submit(buy(30, { type: 'limit', price: 9 }), T0);
    // 60 held + (40 - 30) added = 70; the working order is the one open order.
    expect(risk.check(buy(40, { type: 'limit', price: 9 }), working)).toBeUndefined();
    expect(risk.check(buy(71, { type: 'limit', price: 9 }), working)).toEqual({
      rule: 'max_position_shares',
      reason: 'risk max_position_shares: 101 shares of X after this order, limit 100 (account default)',
    });
    expect(risk.check(buy(1))?.rule).toBe('max_open_orders');
  });

  it('passes notional limits for a symbol with no close yet and no price', () => {
    const { risk } = gate({ max_order_notional: 1, max_position_notional: 1, max_gross_exposure: 1 });
    expect(risk.check(buy(1000))).toBeUndefined();
    expect(risk.check(buy(1000, { type: 'limit', price: 5 }))?.rule).toBe('max_order_notional');
  });

  it('measures the daily loss from the last newSession', () => {
    const { risk, broker, bar, portfolio } = gate({ daily_loss_limit: 50 });
    bar(10);
    broker.submit(buy(100), T0);
    bar(10);
    bar(9.49); // 51 lost
    expect(risk.check(buy(1))?.rule).toBe('daily_loss_limit');
    risk.newSession();
    expect(portfolio.equity()).toBe(9949);
    expect(risk.check(buy(1))).toBeUndefined();
  });
});
