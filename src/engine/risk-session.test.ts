// Risk limits in whole runs: the daily loss halt lifts when the stepper starts a new session day, and the
// refusals reach the engine's metrics and the recorded orders.
import { describe, expect, it } from 'vitest';
import { run, probeSession, rowTime, T0 } from '../../test/probe-sessions.ts';

const DAY = 86_400_000;

/** X bars (stamped here at their open): three closing in the last minutes of 2 Jan 2024 (UTC), one on 3 Jan. */
const rows = [
  { time: rowTime(T0 + DAY, -4), open: 100, high: 100, low: 100, close: 100, volume: 100 },
  { time: rowTime(T0 + DAY, -3), open: 100, high: 100, low: 100, close: 100, volume: 100 },
  { time: rowTime(T0 + DAY, -2), open: 94, high: 94, low: 94, close: 94, volume: 100 },
  { time: rowTime(T0 + DAY, 0), open: 94, high: 94, low: 94, close: 94, volume: 100 },
];

describe('risk limits in a run', () => {
  it('halts entries after the daily loss, passes a reducing order, and lifts the halt on the next day', async () => {
    const { engine, result } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        broker: { risk: { daily_loss_limit: 500 } },
        strategies: [
          {
            name: 'probe',
            config: {
              signals: {
                // Bought at bar 2's open (100); bar 3 closes at 94: 600 lost in the session.
                1: [{ symbol: 'X', action: 'BUY', quantity: 100 }],
                3: [
                  { symbol: 'X', action: 'BUY', quantity: 1 },
                  { symbol: 'X', action: 'SELL', quantity: 10 },
                ],
                // 3 Jan: the session starts at 99,400 (the last close of 2 Jan): nothing lost yet.
                4: [{ symbol: 'X', action: 'BUY', quantity: 1 }],
              },
            },
          },
        ],
      }),
    );
    expect(engine.recorder.orders.map((o) => [o.id, o.side, o.quantity, o.status, o.riskRule])).toEqual([
      [1, 'buy', 100, 'filled', undefined],
      [2, 'buy', 1, 'rejected', 'daily_loss_limit'],
      [3, 'sell', 10, 'filled', undefined],
      [4, 'buy', 1, 'cancelled', undefined],
    ]);
    expect(engine.recorder.orders[1]!.reason).toBe(
      'risk daily_loss_limit: lost 600 since the session opened (100000 then, 99400 now); new entries halted until the next session, limit 500 (account default)',
    );
    expect(engine.getMetrics().system.riskRejections).toEqual([
      { strategy: 'probe', rule: 'daily_loss_limit', count: 1 },
    ]);
    expect(result.rejected_orders).toEqual([
      {
        id: 2,
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 1,
        time: '2024-01-02T23:59:00.000Z',
        reason: engine.recorder.orders[1]!.reason,
        rule: 'daily_loss_limit',
      },
    ]);
  });

  it('reports no refusals when none happened', async () => {
    const { engine } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        broker: { risk: { max_position_shares: 100 } },
        strategies: [
          { name: 'probe', config: { signals: { 1: [{ symbol: 'X', action: 'BUY', quantity: 100 }] } } },
        ],
      }),
    );
    expect(engine.recorder.orders.map((o) => o.status)).toEqual(['filled']);
    expect(engine.getMetrics().system).not.toHaveProperty('riskRejections');
  });
});
