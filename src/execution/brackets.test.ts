// Brackets on real bars: exits placed once the entry fills, working as an OCO pair from the next bar, and
// the intrabar rule when one bar reaches both the stop-loss and the take-profit.
import { describe, expect, it } from 'vitest';
import type { IntrabarRule } from '../config/orders-config.ts';
import type { Bracket } from '../model/signal.ts';
import { aBroker, anOrderRequest, barsFrom, bundledBars } from './broker.fixture.ts';
import { pickLeg } from './fill-rules.ts';

const INDA = bundledBars('INDA_1min.csv');

/*
 * INDA on 2025-04-04 (close time: open high low close volume):
 *   13:27  49.69 49.69 49.69 49.69     124
 *   13:30  49.73 49.73 49.73 49.73     100
 *   13:31  49.7  49.87 49.55 49.82  293119   <- reaches 49.55 and 49.87: both exits of a tight bracket
 *   13:32  49.815 49.86 49.815 49.83  35947
 */
const bars = barsFrom(INDA, '2025-04-04T13:27:00Z', 4);
const T = (hhmm: string) => Date.parse(`2025-04-04T${hhmm}:00Z`);

/** A long of 100 bought at 13:30's open (49.73) with `bracket`, then the 13:31 bar; returns the log. */
function longThrough1331(bracket: Bracket, intrabar?: IntrabarRule) {
  const b = aBroker(intrabar === undefined ? {} : { intrabar });
  b.broker.submit(anOrderRequest({ quantity: 100, ref: 'long', bracket }), T('13:27'));
  b.play(bars.slice(1, 2));
  const placed = b.log.take();
  b.play(bars.slice(2, 3));
  return { ...b, placed };
}

describe('bracket exits', () => {
  it('places a stop and a limit for the quantity filled, linked as an OCO pair, once the entry fills', () => {
    const { placed, log } = longThrough1331({ stopLoss: 49, takeProfit: 50 });
    expect(placed).toEqual([
      'order 1 accepted',
      'order 1 filled',
      'fill 1 of 1: 100 @ 49.73 -> 100',
      'order 2 accepted',
      'order 3 accepted',
    ]);
    expect(log.final.slice(1)).toEqual([
      {
        id: 2,
        account: 'default',
        strategy: 's1',
        symbol: 'X',
        side: 'sell',
        quantity: 100,
        type: 'stop',
        price: 49,
        tsCreated: T('13:30'),
        status: 'open',
        ref: 'long:sl',
        parentId: 1,
        ocoId: 3,
      },
      {
        id: 3,
        account: 'default',
        strategy: 's1',
        symbol: 'X',
        side: 'sell',
        quantity: 100,
        type: 'limit',
        price: 50,
        tsCreated: T('13:30'),
        status: 'open',
        ref: 'long:tp',
        parentId: 1,
        ocoId: 2,
      },
    ]);
  });

  it('does not check the exits against the bar the entry filled on', () => {
    // 13:30 is one price, 49.73; a take-profit at 49.73 would fill on it if the exits worked there.
    const b = aBroker();
    b.broker.submit(anOrderRequest({ quantity: 100, bracket: { takeProfit: 49.73 } }), T('13:27'));
    b.play(bars.slice(1, 2));
    expect(b.log.fills.length).toBe(1);
    expect(b.broker.openOrders().map((o) => [o.id, o.ref, o.type, o.price])).toEqual([
      [2, '#1:tp', 'limit', 49.73],
    ]);
  });

  it.each<[IntrabarRule, Bracket, string, number, number]>([
    // 13:31 opens 49.7: the stop-loss 49.6 and the take-profit 49.85 are both inside 49.55..49.87.
    ['worst', { stopLoss: 49.6, takeProfit: 49.85 }, 'stop-loss', 49.6, -1300],
    ['best', { stopLoss: 49.6, takeProfit: 49.85 }, 'take-profit', 49.85, 1200],
    // open_distance: 49.6 is 0.10 from the open, 49.85 is 0.15: the stop-loss.
    ['open_distance', { stopLoss: 49.6, takeProfit: 49.85 }, 'stop-loss', 49.6, -1300],
    // 49.56 is 0.14 from the open, 49.8 is 0.10: the take-profit.
    ['open_distance', { stopLoss: 49.56, takeProfit: 49.8 }, 'take-profit', 49.8, 700],
    // 49.6 and 49.8 are both 0.10 away: a tie goes to the stop-loss.
    ['open_distance', { stopLoss: 49.6, takeProfit: 49.8 }, 'stop-loss', 49.6, -1300],
  ])(
    'reads a bar that reaches both exits by the %s rule (%j): the %s fills',
    (rule, bracket, _leg, price, pnlCents) => {
      const { log, broker } = longThrough1331(bracket, rule);
      const filledLeg = price === bracket.stopLoss ? 2 : 3;
      const other = 5 - filledLeg;
      expect(log.take()).toEqual([
        `order ${filledLeg} filled`,
        `fill 2 of ${filledLeg}: 100 @ ${price} -> 0`,
        `trade 1: pnl ${log.trades[0]!.pnl}`,
        `order ${other} cancelled: OCO: its sibling order ${filledLeg} (long:${filledLeg === 2 ? 'sl' : 'tp'}) filled`,
      ]);
      // 100 x (exit - 49.73), in cents.
      expect(Math.round(log.trades[0]!.pnl * 100)).toBe(pnlCents);
      expect(broker.openOrderCount).toBe(0);
    },
  );

  it('fills the leg the bar opens through, whatever the rule: the open comes first', () => {
    // A short sold at 13:30's open (49.73): take-profit 49.7 (a buy limit), stop-loss 49.85 (a buy stop).
    // 13:31 opens at 49.7, on the take-profit, then trades up to 49.87, through the stop-loss.
    for (const intrabar of ['worst', 'best', 'open_distance'] as const) {
      const b = aBroker({ allowShort: true, intrabar });
      b.broker.submit(
        anOrderRequest({ side: 'sell', quantity: 10, bracket: { stopLoss: 49.85, takeProfit: 49.7 } }),
        T('13:27'),
      );
      b.play(bars.slice(1, 3));
      expect(b.log.fills.map((f) => [f.orderId, f.side, f.price])).toEqual([
        [1, 'sell', 49.73],
        [3, 'buy', 49.7],
      ]);
    }
    // The same for a stop the open gaps through, read by pickLeg: a stop-loss filled at the open wins over `best`.
    const leg = (type: 'stop' | 'limit', price: number) =>
      ({
        id: 1,
        account: 'a',
        strategy: 's',
        symbol: 'X',
        side: 'sell',
        quantity: 1,
        type,
        price,
        tsCreated: 0,
        status: 'open',
      }) as const;
    expect(
      pickLeg(
        'best',
        leg('stop', 47),
        leg('limit', 47.9),
        { open: 46.7 },
        { stopLoss: 46.7, takeProfit: 47.9 },
      ),
    ).toBe('stopLoss');
  });

  it('cancels the take-profit when the stop-loss alone is reached, and the trade adds up', () => {
    const { log, portfolio } = longThrough1331({ stopLoss: 49.56, takeProfit: 50 });
    expect(log.take()).toEqual([
      'order 2 filled',
      'fill 2 of 2: 100 @ 49.56 -> 0',
      `trade 1: pnl ${log.trades[0]!.pnl}`,
      'order 3 cancelled: OCO: its sibling order 2 (long:sl) filled',
    ]);
    // 100 x (49.56 - 49.73) = -17.00
    expect(Math.round(portfolio.cash * 100)).toBe(10_000_000 - 1700);
  });

  it('places exits for the part of an entry filled when the entry is cancelled', () => {
    const b = aBroker({ maxVolumeShare: 0.5 });
    // 13:30 trades 100 shares: half of them, 50, fill the 80 asked for; the strategy cancels the rest.
    b.broker.submit(anOrderRequest({ quantity: 80, bracket: { stopLoss: 49 } }), T('13:27'));
    b.play(bars.slice(1, 2));
    b.broker.cancel(1, T('13:30'));
    expect(b.log.take()).toEqual([
      'order 1 accepted',
      'order 1 partially_filled',
      'fill 1 of 1: 50 @ 49.73 -> 50',
      'order 1 cancelled: cancelled by the strategy',
      'order 2 accepted',
    ]);
    expect(b.broker.openOrders().map((o) => [o.id, o.side, o.quantity, o.type, o.price, o.ocoId])).toEqual([
      [2, 'sell', 50, 'stop', 49, undefined],
    ]);
  });

  it('shrinks the other leg by a partial fill of one, and cancels it when that leg is done (DBB, thin bars)', () => {
    /*
     * DBB on 2024-04-01, at most a tenth of each bar's volume:
     *   13:31  18.02 (1907)                  entry: 30 at the open
     *   13:32..13:38  highs 18.06 18.08 18.035 18.05: neither exit
     *   13:39  18.11 (180)                   take-profit: 18 of 30 at the open, 18.11
     *   13:40  18.0631 (160), 13:49  18.07, 13:52  18.08: neither exit
     *   13:53  18.105 (2000)                 take-profit: the other 12 at the open
     */
    const dbb = barsFrom(bundledBars('DBB_1min.csv'), '2024-04-01T13:31:00Z', 10);
    const b = aBroker({ maxVolumeShare: 0.1 });
    b.broker.submit(
      anOrderRequest({ quantity: 30, ref: 'e', bracket: { stopLoss: 17.9, takeProfit: 18.1 } }),
      0,
    );
    b.play(dbb);
    expect(b.log.take()).toEqual([
      'order 1 accepted',
      'order 1 filled',
      'fill 1 of 1: 30 @ 18.02 -> 30',
      'order 2 accepted',
      'order 3 accepted',
      'order 3 partially_filled',
      'fill 2 of 3: 18 @ 18.11 -> 12',
      'order 2 replaced: OCO: its sibling order 3 (e:tp) filled 18, so 12 are left',
      'order 3 filled',
      'fill 3 of 3: 12 @ 18.105 -> 0',
      'trade 1: pnl ' + String(b.log.trades[0]?.pnl),
      'order 2 cancelled: OCO: its sibling order 3 (e:tp) filled',
    ]);
    // 18 x (18.11 - 18.02) + 12 x (18.105 - 18.02) = 1.62 + 1.02 = 2.64
    expect(Math.round(b.log.trades[0]!.pnl * 100)).toBe(264);
    // (18 x 18.11 + 12 x 18.105) / 30 = 543.24 / 30
    expect(b.log.final[2]).toMatchObject({ status: 'filled', filledQuantity: 30, avgFillPrice: 18.108 });
    expect(b.log.final[1]).toMatchObject({ status: 'cancelled', quantity: 12 });
  });
});
