// Each order type against real 1-minute bars of the bundled ETFs, with fills computed by hand from the bars.
import { describe, expect, it } from 'vitest';
import { aBroker, anOrderRequest, barsFrom, bundledBars } from './broker.fixture.ts';

const INDA = bundledBars('INDA_1min.csv');
const FXY = bundledBars('FXY_1min.csv');
const at = (iso: string) => Date.parse(iso);

/*
 * INDA on 2023-07-10 (close time: open high low close volume):
 *   13:25  43.54 43.54 43.54 43.54    367
 *   13:31  43.55 43.55 43.48 43.52  35104
 *   13:32  43.515 43.53 43.51 43.525 16679
 *   13:33  43.52 43.53 43.515 43.53  2983
 *   13:34  43.535 43.55 43.535 43.545 5337
 *   13:35  43.545 43.55 43.54 43.55  6289
 *   13:36  43.56 43.56 43.555 43.555  807
 *   13:37  43.555 43.56 43.5502 43.5561 3086
 *   13:38  43.555 43.555 43.545 43.545 14439
 *   13:39  43.545 43.55 43.54 43.5401 4053
 */
const session = barsFrom(INDA, '2023-07-10T13:25:00Z', 10);

describe('market, limit and stop orders on real bars', () => {
  it('fills a market order at the next bar’s open, a buy limit at its limit, a sell limit at a better open', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ quantity: 100 }), at('2023-07-10T13:25:00Z'));
    broker.submit(anOrderRequest({ type: 'limit', price: 43.5, quantity: 10 }), at('2023-07-10T13:25:00Z'));
    play(session.slice(1, 2));
    // 13:31 opens 43.55: the market buy fills there; its low 43.48 reaches the 43.5 limit.
    broker.submit(
      anOrderRequest({ side: 'sell', type: 'limit', price: 43.51, quantity: 100 }),
      at('2023-07-10T13:31:00Z'),
    );
    play(session.slice(2, 3));
    // 13:32 opens 43.515, above the 43.51 sell limit: filled at the better open.
    expect(log.fills.map((f) => [f.orderId, f.quantity, f.price, f.ts])).toEqual([
      [1, 100, 43.55, at('2023-07-10T13:31:00Z')],
      [2, 10, 43.5, at('2023-07-10T13:31:00Z')],
      [3, 100, 43.515, at('2023-07-10T13:32:00Z')],
    ]);
  });

  it('fills a sell stop that a bar gaps through at the open, not at the stop (FXY, 2023-09-06 14:01)', () => {
    // 14:00 closes 63.34; 14:01 opens 63.21, below the 63.25 stop, and trades 62.98 to 63.22.
    const bars = barsFrom(FXY, '2023-09-06T14:00:00Z', 2);
    expect(bars.map((b) => [b.open, b.high, b.low, b.close])).toEqual([
      [63.14, 63.34, 63.14, 63.34],
      [63.21, 63.22, 62.98, 62.98],
    ]);
    const { broker, log, play, portfolio } = aBroker();
    broker.submit(anOrderRequest({ quantity: 50 }), bars[0]!.ts - 60_000);
    play(bars.slice(0, 1));
    broker.submit(anOrderRequest({ side: 'sell', type: 'stop', price: 63.25, quantity: 50 }), bars[0]!.ts);
    play(bars.slice(1, 2));
    expect(log.fills.map((f) => [f.orderId, f.price])).toEqual([
      [1, 63.14],
      [2, 63.21],
    ]);
    // 50 x (63.21 - 63.14) = 3.50
    expect(Math.round(log.trades[0]!.pnl * 100)).toBe(350);
    expect(Math.round(portfolio.cash * 100)).toBe(10_000_350);
  });
});

describe('stop-limit orders', () => {
  it('triggers inside a bar and works as a limit from the next bar on', () => {
    const { broker, log, play } = aBroker();
    const order = broker.submit(
      anOrderRequest({ type: 'stop_limit', stopPrice: 43.55, price: 43.555, quantity: 20 }),
      at('2023-07-10T13:31:00Z'),
    );
    // 13:32 and 13:33 stay below 43.55; 13:34 opens 43.535 and reaches 43.55 inside: triggered, no fill;
    // 13:35 opens 43.545, at or under the 43.555 limit: filled at the open.
    play(session.slice(2, 6));
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 1 triggered',
      'order 1 filled',
      'fill 1 of 1: 20 @ 43.545 -> 20',
    ]);
    expect(log.final).toEqual([
      {
        ...order,
        triggered: true,
        status: 'filled',
        tsClosed: at('2023-07-10T13:35:00Z'),
        filledQuantity: 20,
        avgFillPrice: 43.545,
      },
    ]);
  });

  it('fills on the bar that opens through its stop, at the limit when the open is past it', () => {
    const { broker, log, play } = aBroker();
    broker.submit(
      anOrderRequest({ type: 'stop_limit', stopPrice: 43.555, price: 43.555, quantity: 20 }),
      at('2023-07-10T13:35:00Z'),
    );
    // 13:36 opens 43.56, through the 43.555 stop; the limit is below the open, and the low 43.555 reaches it.
    play(session.slice(6, 7));
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 1 triggered',
      'order 1 filled',
      'fill 1 of 1: 20 @ 43.555 -> 20',
    ]);
  });

  it('takes no slippage once triggered, as a limit order', () => {
    const { broker, log, play } = aBroker({ slippageBps: 10 });
    broker.submit(
      anOrderRequest({ type: 'stop_limit', stopPrice: 43.555, price: 43.56, quantity: 1 }),
      at('2023-07-10T13:35:00Z'),
    );
    play(session.slice(6, 7));
    expect(log.fills.map((f) => f.price)).toEqual([43.56]);
  });
});

describe('trailing stops', () => {
  it('trails the highs by an amount, checking each bar against the stop as it stood before the bar', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ quantity: 100 }), at('2023-07-10T13:25:00Z'));
    play(session.slice(1, 2)); // bought at 43.55; 13:31 closes 43.52
    const trailing = broker.submit(
      anOrderRequest({ side: 'sell', type: 'trailing_stop', trailAmount: 0.02, quantity: 100 }),
      at('2023-07-10T13:31:00Z'),
    );
    // The best price so far is the last close, 43.52: the stop starts at 43.50.
    expect(trailing.stopPrice).toBe(43.5);
    const stops: (number | undefined)[] = [];
    for (const b of session.slice(2, 9)) {
      play([b]);
      stops.push(broker.openOrders()[0]?.stopPrice);
    }
    // Highs 43.53 43.53 43.55 43.55 43.56 43.56 43.555 move it to 43.51 43.51 43.53 43.53 43.54 43.54 43.54.
    expect(stops).toEqual([43.51, 43.51, 43.53, 43.53, 43.54, 43.54, 43.54]);
    expect(log.fills.length).toBe(1);
    // 13:39 trades down to 43.54: the stop fills there.
    play(session.slice(9, 10));
    expect(log.fills.map((f) => [f.orderId, f.price, f.ts])).toEqual([
      [1, 43.55, at('2023-07-10T13:31:00Z')],
      [2, 43.54, at('2023-07-10T13:39:00Z')],
    ]);
    expect(log.final[1]).toMatchObject({ status: 'filled', stopPrice: 43.54, trailAmount: 0.02 });
  });

  it('does not fill against a stop that the bar’s own high raised', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ quantity: 10 }), at('2023-07-10T13:25:00Z'));
    play(session.slice(1, 7)); // through 13:36, which closes 43.555
    broker.submit(
      anOrderRequest({ side: 'sell', type: 'trailing_stop', trailAmount: 0.005, quantity: 10 }),
      at('2023-07-10T13:36:00Z'),
    );
    // Stop 43.55. 13:37 trades 43.5502 to 43.56: had its high moved the stop first (to 43.555), the low would
    // fill it; read cautiously the bar meets the stop as it stood (43.55), then moves it to 43.555.
    play(session.slice(7, 8));
    expect(log.fills.length).toBe(1);
    expect(broker.openOrders()[0]?.stopPrice).toBe(43.555);
    // 13:38 trades down to 43.545: filled at the stop.
    play(session.slice(8, 9));
    expect(log.fills.map((f) => f.price)).toEqual([43.55, 43.555]);
  });

  it('trails by a percent, and a buy trailing stop trails the lows', () => {
    const { broker, play } = aBroker({ allowShort: true });
    play(session.slice(0, 2)); // 13:31 closes 43.52
    broker.submit(
      anOrderRequest({ side: 'buy', type: 'trailing_stop', trailPercent: 1, quantity: 5 }),
      at('2023-07-10T13:31:00Z'),
    );
    // 43.52 x 1.01 = 43.9552; the lows 43.51 then 43.515 bring it to 43.51 x 1.01 = 43.9451.
    expect(broker.openOrders()[0]?.stopPrice).toBe(43.9552);
    play(session.slice(2, 4));
    expect(broker.openOrders()[0]?.stopPrice).toBe(43.9451);
  });

  it('takes its first best price from the first open when its symbol had no bar yet', () => {
    const { broker, play } = aBroker({ allowShort: true });
    broker.submit(anOrderRequest({ side: 'sell', type: 'trailing_stop', trailAmount: 0.1, quantity: 1 }), 0);
    expect(broker.openOrders()[0]?.stopPrice).toBeUndefined();
    // 13:31 opens 43.55 (stop 43.45), low 43.48 does not reach it, high 43.55 leaves it.
    play(session.slice(1, 2));
    expect(broker.openOrders()[0]?.stopPrice).toBe(43.45);
  });
});
