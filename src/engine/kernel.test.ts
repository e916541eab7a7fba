// The kernel: what a strategy sees, when its orders fill, the order signals are routed in, aggregated bars.
import { describe, expect, it } from 'vitest';
import { ANY_TIMES } from '../../test/helpers.ts';
import {
  buy,
  closeOf,
  MIN,
  minuteBars,
  probeSession,
  risingBars,
  run,
  T0,
} from '../../test/probe-sessions.ts';

describe('Engine: what a strategy sees and when its orders fill', () => {
  it('shows bar t to the strategy and fills its market order at bar t+1’s open', async () => {
    const { result, engine, seen } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { signals: { 2: buy(10) } } }] }),
    );
    expect(
      seen.map((r) => [r.n, r.now, r.length, r.lastTime, r.lastOpen, r.lastClose, r.position, r.cash]),
    ).toEqual([
      [1, closeOf(0), 1, closeOf(0), 100, 101, 0, 100_000],
      [2, closeOf(1), 2, closeOf(1), 102, 103, 0, 100_000],
      // The order raised on bar 1 (close 103) filled at bar 2's open, 104, before the strategy saw bar 2.
      [3, closeOf(2), 3, closeOf(2), 104, 105, 10, 98_960],
      [4, closeOf(3), 4, closeOf(3), 106, 107, 10, 98_960],
    ]);
    expect(seen.every((r) => Number.isNaN(r.closeAfterLast))).toBe(true);
    expect(engine.recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        type: 'market',
        tsCreated: closeOf(1),
        status: 'filled',
        tsClosed: closeOf(2),
        ref: '#1',
        filledQuantity: 10,
        avgFillPrice: 104,
      },
    ]);
    expect(engine.recorder.fills).toEqual([
      {
        id: 1,
        orderId: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        price: 104,
        commission: 0,
        ts: closeOf(2),
      },
    ]);
    expect(result.open_positions).toEqual([
      { strategy: 'probe', symbol: 'X', quantity: 10, avg_price: 104, last_price: 107 },
    ]);
    expect(result.cash).toBe(98_960);
    expect(result.final_value).toBe(98_960 + 1070);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect([result.steps, result.bars]).toEqual([4, 4]);
    expect(result.strategies).toEqual([
      {
        name: 'probe',
        status: 'ran',
        isolation: 'inline',
        placement: 'isolation "inline" in its entry',
        notifications: 4,
        signals: 1,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
      },
    ]);
  });

  it('closes a round trip at the open after the CLOSE signal, with costs and slippage', async () => {
    const { result } = await run(
      probeSession({
        strategies: [
          { name: 'probe', config: { signals: { 1: buy(100), 2: [{ symbol: 'X', action: 'CLOSE' }] } } },
        ],
        broker: { commission: { per_share: 0.01, minimum: 1.5 }, slippage_bps: 10 },
      }),
    );
    // Buy at bar 1's open 102 + 10 bps = 102.102, commission max(1.5, 1) = 1.5; sell at bar 2's open 104 - 10 bps = 103.896.
    const entry = 102 * 1.001;
    const exit = 104 * 0.999;
    expect(result.trades).toEqual([
      {
        strategy: 'probe',
        symbol: 'X',
        direction: 'long',
        quantity: 100,
        entry_time: new Date(closeOf(1)).toISOString(),
        entry_price: entry,
        exit_time: new Date(closeOf(2)).toISOString(),
        exit_price: exit,
        pnl: 100 * (exit - entry) - 3,
        commission: 3,
        bars: 1,
      },
    ]);
    expect(result.trades[0]?.pnl).toBeCloseTo(176.4, 9);
    expect(result.final_value).toBeCloseTo(100_176.4, 9);
    expect(result.open_positions).toEqual([]);
  });
});

describe('Engine: signal routing order', () => {
  it('routes signals of one step in registration order even when the later strategy’s series is processed first', async () => {
    const { engine, seen } = await run(
      probeSession({
        data: [
          { symbol: 'X', rows: risingBars(3) },
          { symbol: 'Y', rows: risingBars(3) },
        ],
        strategies: [
          { name: 'first', config: { symbols: ['Y'], signals: { 1: buy(1, 'Y') } } },
          { name: 'second', config: { symbols: ['X'], signals: { 1: buy(2, 'X') } } },
        ],
      }),
    );
    // X is data[0], so 'second' is notified before 'first' in each step ...
    expect(seen.slice(0, 2).map((r) => r.strategy)).toEqual(['second', 'first']);
    // ... yet 'first' gets the first order id.
    expect(engine.recorder.orders.map((o) => [o.id, o.strategy, o.symbol, o.quantity])).toEqual([
      [1, 'first', 'Y', 1],
      [2, 'second', 'X', 2],
    ]);
    expect(engine.recorder.signals.map((s) => [s.strategy, s.orderId])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
  });

  it('routes in registration order when the first strategy listens to an aggregated series of the same symbol', async () => {
    const { engine, seen } = await run(
      probeSession({
        data: [{ symbol: 'X', rows: risingBars(6) }],
        strategies: [
          { name: 'coarse', config: { interval: '5m', signals: { 1: buy(1) } } },
          { name: 'fine', config: { interval: '1m', signals: { 5: buy(2) } } },
        ],
      }),
    );
    const atFive = seen.filter((r) => r.now === closeOf(4));
    expect(atFive.map((r) => [r.strategy, r.interval])).toEqual([
      ['fine', '1m'],
      ['coarse', '5m'],
    ]);
    expect(engine.recorder.orders.map((o) => [o.id, o.strategy, o.tsCreated, o.status])).toEqual([
      [1, 'coarse', closeOf(4), 'filled'],
      [2, 'fine', closeOf(4), 'filled'],
    ]);
    // Both filled at bar 5's open, coarse first.
    expect(engine.recorder.fills.map((f) => [f.orderId, f.price])).toEqual([
      [1, 110],
      [2, 110],
    ]);
  });
});

describe('Engine: aggregated subscriptions', () => {
  it('notifies a 5m subscriber on 1m data only at bucket ends and shows it only published bars', async () => {
    const rows = minuteBars([
      { open: 10, close: 11, high: 12, low: 9.5 },
      { open: 11, close: 12, high: 14, low: 10.5 },
      { open: 12, close: 11.5, high: 12.5, low: 9 },
      { open: 11.5, close: 13, high: 13, low: 11 },
      { open: 13, close: 13.5, high: 13.75, low: 12.5 },
      { open: 20, close: 21 },
      { open: 21, close: 22 },
      { open: 22, close: 23 },
      { open: 23, close: 24 },
      { open: 24, close: 25 },
      { open: 30, close: 31, high: 33 },
      { open: 31, close: 32, low: 29 },
    ]);
    const { result, seen } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        strategies: [{ name: 'probe', config: { interval: '5m' } }],
      }),
    );
    expect(
      seen.map((r) => [
        r.interval,
        r.now,
        r.length,
        r.lastTime,
        r.lastOpen,
        r.lastHigh,
        r.lastLow,
        r.lastClose,
        r.lastVolume,
      ]),
    ).toEqual([
      ['5m', closeOf(4), 1, closeOf(4), 10, 14, 9, 13.5, 500],
      ['5m', closeOf(9), 2, closeOf(9), 20, 25, 20, 25, 500],
      // The last bucket has two bars; it is published at its end, 00:15, after the data ends at 00:12.
      ['5m', T0 + 15 * MIN, 3, T0 + 15 * MIN, 30, 33, 29, 32, 200],
    ]);
    expect(seen.map((r) => r.closeAfterLast)).toEqual([NaN, NaN, NaN]);
    expect(result.strategies).toEqual([
      {
        name: 'probe',
        status: 'ran',
        isolation: 'inline',
        placement: 'isolation "inline" in its entry',
        notifications: 3,
        signals: 0,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
      },
    ]);
    // 12 base bars plus one step at the last bucket's deadline.
    expect([result.bars, result.steps]).toEqual([12, 13]);
  });
});
