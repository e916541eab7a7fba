// Requests whose terms do not fit together are rejected at submit, each with a reason that says what to fix.
import { describe, expect, it } from 'vitest';
import type { OrderRequest } from './broker.ts';
import { aBroker, anOrderRequest } from './broker.fixture.ts';

/** Submits a request and returns the reason it was rejected with (failing when it was accepted). */
function rejection(r: Partial<OrderRequest>): string | undefined {
  const { broker, log } = aBroker();
  const order = broker.submit(anOrderRequest(r), 0);
  expect(order.status).toBe('rejected');
  expect(broker.openOrderCount).toBe(0);
  expect(log.lines).toEqual([`order 1 rejected: ${order.reason}`]);
  return order.reason;
}

describe('submit rejects unsound terms', () => {
  it.each<[Partial<OrderRequest>, string]>([
    [
      { type: 'stop_limit', price: 10 },
      'a stop_limit order needs a positive stopPrice, the price that triggers it (got none)',
    ],
    [{ type: 'stop_limit', stopPrice: 10 }, 'a stop_limit order needs a positive price (got none)'],
    [
      { type: 'stop', price: 10, stopPrice: 9 },
      "stopPrice applies to stop_limit orders only (a stop order's stop is its price); this is a stop order",
    ],
    [
      { type: 'trailing_stop' },
      'a trailing_stop order needs exactly one of trailAmount (price units) and trailPercent',
    ],
    [
      { type: 'trailing_stop', trailAmount: 1, trailPercent: 1 },
      'a trailing_stop order needs exactly one of trailAmount (price units) and trailPercent',
    ],
    [{ type: 'trailing_stop', trailAmount: -1 }, 'trailAmount must be a positive number (got -1)'],
    [{ type: 'trailing_stop', trailPercent: 100 }, 'trailPercent must be above 0 and below 100 (got 100)'],
    [
      { trailAmount: 1 },
      'trailAmount and trailPercent apply to trailing_stop orders only; this is a market order',
    ],
    [
      { timeInForce: 'IOC' },
      'time in force IOC applies to limit orders only; this is a market order (use GTC or DAY)',
    ],
    [
      { type: 'stop', price: 5, timeInForce: 'FOK' },
      'time in force FOK applies to limit orders only; this is a stop order (use GTC or DAY)',
    ],
    [{ bracket: {} }, 'a bracket needs a stopLoss, a takeProfit or both'],
    [{ bracket: { stopLoss: 0 } }, 'bracket.stopLoss must be a positive price (got 0)'],
    [{ bracket: { takeProfit: Number.NaN } }, 'bracket.takeProfit must be a positive price (got NaN)'],
    [
      { bracket: { stopLoss: 11, takeProfit: 10 } },
      "a buy entry's bracket.stopLoss (11) must be below its takeProfit (10)",
    ],
    [
      { side: 'sell', bracket: { stopLoss: 10, takeProfit: 11 } },
      "a sell entry's bracket.stopLoss (10) must be above its takeProfit (11)",
    ],
    [
      { type: 'limit', price: 9, bracket: { stopLoss: 9.5 } },
      "a buy entry's bracket.stopLoss (9.5) must be below its price (9)",
    ],
    [
      { type: 'limit', price: 12, bracket: { stopLoss: 9, takeProfit: 11 } },
      "a buy entry's bracket.takeProfit (11) must be above its price (12)",
    ],
    [
      { side: 'sell', type: 'limit', price: 10, bracket: { takeProfit: 10 } },
      "a sell entry's bracket.takeProfit (10) must be below its price (10)",
    ],
  ])('%j', (request, reason) => {
    expect(rejection(request)).toBe(reason);
  });

  it('accepts sound terms of each kind', () => {
    const { broker } = aBroker({ allowShort: true });
    const ok: Partial<OrderRequest>[] = [
      { type: 'stop_limit', stopPrice: 10, price: 10.1, timeInForce: 'DAY' },
      { type: 'trailing_stop', side: 'sell', trailPercent: 2.5 },
      { type: 'limit', price: 10, timeInForce: 'FOK', bracket: { stopLoss: 9, takeProfit: 11 } },
      { side: 'sell', type: 'limit', price: 10, bracket: { stopLoss: 11, takeProfit: 9 } },
      { bracket: { takeProfit: 11 } },
    ];
    for (const r of ok) broker.submit(anOrderRequest(r), 0);
    expect(broker.openOrders().map((o) => [o.id, o.status])).toEqual([
      [1, 'open'],
      [2, 'open'],
      [3, 'open'],
      [4, 'open'],
      [5, 'open'],
    ]);
  });
});
