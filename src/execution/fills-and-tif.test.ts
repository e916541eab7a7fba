// Partial fills under a volume share over thin 1-minute ETF bars, and time in force (DAY, IOC, FOK), on real bars.
import { describe, expect, it } from 'vitest';
import { aBroker, anOrderRequest, barsFrom, bundledBars } from './broker.fixture.ts';

/*
 * DBB on 2024-04-01 (close time: open high low close volume):
 *   13:31 18.02 18.02 18.02 18.02 1907     13:39 18.11 18.11 18.11 18.11 180
 *   13:32 18.04 18.06 18.04 18.04 7276     13:40 18.0631 (all four) 160
 *   13:33 18.08 18.08 18.05 18.055 14845   13:49 18.07 18.07 18.0601 18.0601 300
 *   13:36 18.035 (all four) 342            13:52 18.08 (all four) 229
 *   13:38 18.05 (all four) 2120            13:53 18.105 (all four) 2000
 */
const DBB = barsFrom(bundledBars('DBB_1min.csv'), '2024-04-01T13:31:00Z', 10);
const T = (hhmm: string) => Date.parse(`2024-04-01T${hhmm}:00Z`);

describe('partial fills under max_volume_share', () => {
  it('fills a large market order over several thin bars, each fill within a tenth of the bar’s volume', () => {
    const { broker, log, play, portfolio } = aBroker({ maxVolumeShare: 0.1 });
    broker.submit(anOrderRequest({ quantity: 2500 }), T('13:31'));
    play(DBB.slice(1));
    // floor(0.1 x volume), whole shares, at each bar's open, until 2500: the last takes the 9 left.
    expect(log.fills.map((f) => [f.quantity, f.price])).toEqual([
      [727, 18.04],
      [1484, 18.08],
      [34, 18.035],
      [212, 18.05],
      [18, 18.11],
      [16, 18.0631],
      [9, 18.07],
    ]);
    const volumeOf = new Map(DBB.map((b) => [b.ts, b.volume]));
    expect(log.fills.every((f) => f.quantity <= 0.1 * volumeOf.get(f.ts)!)).toBe(true);
    expect(log.fills.reduce((n, f) => n + f.quantity, 0)).toBe(2500);
    // 727 x 18.04 + 1484 x 18.08 + 34 x 18.035 + 212 x 18.05 + 18 x 18.11 + 16 x 18.0631 + 9 x 18.07 = 45 163.2096
    expect(Math.round(portfolio.cash * 10_000)).toBe(548_367_904);
    expect(portfolio.position('s1', 'X')).toBe(2500);
    expect(log.lines.filter((l) => l.startsWith('order 1 '))).toEqual([
      'order 1 accepted',
      ...Array<string>(6).fill('order 1 partially_filled'),
      'order 1 filled',
    ]);
    const final = log.final[0]!;
    expect([final.status, final.filledQuantity, final.tsClosed]).toEqual(['filled', 2500, T('13:49')]);
    expect(Math.round(final.avgFillPrice! * 1e8)).toBe(Math.round((45_163.2096 / 2500) * 1e8));
  });

  it('shares a bar’s room among the symbol’s orders in id order, in total', () => {
    const { broker, log, play } = aBroker({ maxVolumeShare: 0.1 });
    broker.submit(anOrderRequest({ quantity: 720 }), T('13:31'));
    broker.submit(anOrderRequest({ quantity: 100, strategy: 's2' }), T('13:31'));
    // 13:32: room 727.6: order 1 takes 720, order 2 the 7 left; 13:33: room 1484.5, order 2 takes its 93.
    play(DBB.slice(1, 3));
    expect(log.fills.map((f) => [f.orderId, f.quantity, f.price])).toEqual([
      [1, 720, 18.04],
      [2, 7, 18.04],
      [2, 93, 18.08],
    ]);
  });

  it('keeps fractional quantities fractional, and sells out a position in parts that add up', () => {
    const { broker, log, play, portfolio } = aBroker({ maxVolumeShare: 0.001 });
    broker.submit(anOrderRequest({ quantity: 2.5 }), T('13:31'));
    // 13:32 room 7.276: all 2.5 fill (a fractional order is not rounded to whole shares).
    play(DBB.slice(1, 2));
    broker.submit(anOrderRequest({ side: 'sell', quantity: 2.5 }), T('13:32'));
    // 13:33 room 14.845, 13:36 room 0.342: 2.5 fill on 13:33.
    play(DBB.slice(2, 4));
    expect(log.fills.map((f) => f.quantity)).toEqual([2.5, 2.5]);
    expect(portfolio.position('s1', 'X')).toBe(0);
    expect(log.trades.length).toBe(1);
  });

  it('cancels the rest when cash runs out part way, keeping what filled', () => {
    // 1000 shares at 18.04 cost 18 040; 15 000 cash pays the first 727 (13 115.08) and not the next 273.
    const { broker, log, play, portfolio } = aBroker({ cash: 15_000, maxVolumeShare: 0.1 });
    broker.submit(anOrderRequest({ quantity: 1000 }), T('13:31'));
    play(DBB.slice(1, 3));
    expect(log.take().slice(-1)).toEqual([
      'order 1 cancelled: insufficient cash: needs 4935.84, has 1884.92',
    ]);
    expect(log.final[0]).toMatchObject({ status: 'cancelled', filledQuantity: 727, avgFillPrice: 18.04 });
    expect(portfolio.position('s1', 'X')).toBe(727);
  });
});

describe('time in force', () => {
  it('cancels DAY orders when the session ends, and leaves GTC orders working', () => {
    const { broker, log } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 17, timeInForce: 'DAY' }), T('13:31'));
    broker.submit(anOrderRequest({ type: 'limit', price: 17 }), T('13:31'));
    broker.endSession(T('20:00'));
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 2 accepted',
      'order 1 cancelled: DAY order: its session closed',
    ]);
    expect(log.final[0]).toMatchObject({ status: 'cancelled', tsClosed: T('20:00'), timeInForce: 'DAY' });
    expect(broker.openOrders().map((o) => o.id)).toEqual([2]);
  });

  it('IOC: fills what the first bar allows and cancels the rest', () => {
    const { broker, log, play } = aBroker({ maxVolumeShare: 0.05 });
    // 13:33 opens 18.08 and trades down to 18.05, the limit; room 0.05 x 14845 = 742.25.
    broker.submit(
      anOrderRequest({ type: 'limit', price: 18.05, quantity: 1000, timeInForce: 'IOC' }),
      T('13:32'),
    );
    play(DBB.slice(2, 3));
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 1 partially_filled',
      'fill 1 of 1: 742 @ 18.05 -> 742',
      'order 1 cancelled: IOC: only 742 of 1000 could fill on its first bar (max_volume_share 0.05 of 14845 traded, shared in id order); the rest is cancelled',
    ]);
  });

  it('IOC: is cancelled whole when its first bar does not reach the limit, even if a later one would', () => {
    const { broker, log, play } = aBroker();
    broker.submit(anOrderRequest({ type: 'limit', price: 18.035, timeInForce: 'IOC' }), T('13:32'));
    play(DBB.slice(2, 4)); // 13:33's low is 18.05; 13:36 trades at 18.035
    expect(log.take()).toEqual([
      'order 1 accepted',
      'order 1 cancelled: IOC: its first bar did not reach the limit 18.035',
    ]);
  });

  it('FOK: fills whole on its first bar, or is cancelled with nothing filled', () => {
    const whole = aBroker({ maxVolumeShare: 0.05 });
    whole.broker.submit(
      anOrderRequest({ type: 'limit', price: 18.05, quantity: 700, timeInForce: 'FOK' }),
      T('13:32'),
    );
    whole.play(DBB.slice(2, 3));
    expect(whole.log.fills.map((f) => [f.quantity, f.price])).toEqual([[700, 18.05]]);
    const none = aBroker({ maxVolumeShare: 0.05 });
    none.broker.submit(
      anOrderRequest({ type: 'limit', price: 18.05, quantity: 800, timeInForce: 'FOK' }),
      T('13:32'),
    );
    none.play(DBB.slice(2, 3));
    expect(none.log.take()).toEqual([
      'order 1 accepted',
      'order 1 cancelled: FOK: only 742 of 800 could fill on its first bar (max_volume_share 0.05 of 14845 traded, shared in id order); none filled',
    ]);
    expect(none.portfolio.cash).toBe(100_000);
  });
});
