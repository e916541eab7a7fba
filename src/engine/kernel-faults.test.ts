// The kernel: faults in strategies, subscriptions, signals without orders and orders without fills.
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { ANY_TIMES } from '../../test/helpers.ts';
import { buy, closeOf, probeSession, rejection, risingBars, run } from '../../test/probe-sessions.ts';

describe('Engine: faults in strategies', () => {
  it('counts an exception in onBars, logs it with the strategy’s name and goes on', async () => {
    const { result, log, engine } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { throw_on: [2], signals: { 3: buy(1) } } }] }),
    );
    expect(result.strategies).toEqual([
      {
        name: 'probe',
        status: 'ran',
        isolation: 'inline',
        placement: 'isolation "inline" in its entry',
        notifications: 4,
        signals: 1,
        errors: 1,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
      },
    ]);
    expect(log.records.filter((r) => r.level === 'error')).toEqual([
      { level: 'error', msg: 'strategy probe: onBars(X, 1m) threw: probe failed on notification 2' },
    ]);
    expect(engine.recorder.fills.map((f) => [f.price, f.ts])).toEqual([[106, closeOf(3)]]);
  });

  it('reports strategies whose setup returns false or throws as not started, and runs the others', async () => {
    const { result, log } = await run(
      probeSession({
        strategies: [
          { name: 'refuses', config: { setup: 'false' } },
          { name: 'breaks', config: { setup: 'throw' } },
          { name: 'works', config: { signals: { 1: buy(1) } } },
        ],
      }),
    );
    expect(result.strategies).toEqual([
      {
        name: 'works',
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
      {
        name: 'refuses',
        status: 'not_started',
        notifications: 0,
        signals: 0,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        avg_ms: 0,
        p99_ms: 0,
        max_ms: 0,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
        reason: 'setup returned false',
      },
      {
        name: 'breaks',
        status: 'not_started',
        notifications: 0,
        signals: 0,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        avg_ms: 0,
        p99_ms: 0,
        max_ms: 0,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: 0,
        reason: 'setup threw: breaks was told to fail',
      },
    ]);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      'strategy refuses did not start: setup returned false',
      'strategy breaks did not start: setup threw: breaks was told to fail',
    ]);
  });

  it('fails with TF_ERR_NO_STRATEGIES naming each reason when no strategy starts', async () => {
    const e = await rejection(
      run(
        probeSession({
          strategies: [
            { name: 'refuses', config: { setup: 'false' } },
            { name: 'breaks', config: { setup: 'throw' } },
          ],
        }),
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((e as Error).message).toBe(
      'no strategy started (refuses: setup returned false; breaks: setup threw: breaks was told to fail)',
    );
  });

  it('fails with TF_ERR_NO_STRATEGIES when every strategy is disabled', async () => {
    const e = await rejection(run(probeSession({ strategies: [{ name: 'off', enabled: false }] })));
    expect(isTradeflowError(e, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((e as Error).message).toBe('no strategy started (none is enabled)');
  });
});

describe('Engine: subscriptions', () => {
  it('fails with TF_ERR_SUBSCRIPTION naming the strategy when no data source provides the symbol', async () => {
    const e = await rejection(
      run(probeSession({ strategies: [{ name: 'probe', config: { subscribe: [['Z', '1m']] } }] })),
    );
    expect(isTradeflowError(e, 'TF_ERR_SUBSCRIPTION')).toBe(true);
    expect((e as Error).message).toBe(
      'strategy probe subscribes to Z, which no data source provides (loaded: X)',
    );
  });

  it('fails with TF_ERR_SUBSCRIPTION naming the strategy when the data cannot be rolled up into the interval', async () => {
    const daily = [
      { time: '2024-01-02 00:00:00', open: 10, high: 11, low: 9, close: 10.5, volume: 5 },
      { time: '2024-01-03 00:00:00', open: 10.5, high: 11, low: 10, close: 10.75, volume: 5 },
    ];
    const e = await rejection(
      run(
        probeSession({
          data: [{ symbol: 'X', rows: daily, interval: '1d' }],
          strategies: [
            { name: 'ok', config: { interval: '1d' } },
            { name: 'fine_grained', config: { interval: '5m' } },
          ],
        }),
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_SUBSCRIPTION')).toBe(true);
    expect((e as Error).message).toBe(
      'strategy fine_grained subscribes to X at 5m, but its data is 1d bars, which cannot be rolled up into 5m',
    );
  });

  it('refuses ctx.bars for a series the strategy does not subscribe to, even when another strategy does', async () => {
    const refusal = (what: string) =>
      `setup threw: strategy reader asked for X at ${what}, which it does not subscribe to; add it to getSubscriptions()`;
    const withReader = async (reader: Readonly<Record<string, unknown>>) => {
      const { result } = await run(
        probeSession({
          data: [{ symbol: 'X', rows: risingBars(5) }],
          strategies: [
            { name: 'other', config: { interval: '5m' } },
            { name: 'reader', config: reader },
          ],
        }),
      );
      return result.strategies.find((s) => s.name === 'reader');
    };
    // 15m exists nowhere; 5m exists only for 'other'; 1m is the base series, which reader does not subscribe to.
    expect(await withReader({ interval: '1m', read_in_setup: ['X', '15m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('15m'),
    });
    expect(await withReader({ interval: '1m', read_in_setup: ['X', '5m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('5m'),
    });
    expect(await withReader({ interval: '5m', read_in_setup: ['X', '1m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('1m'),
    });
    expect(await withReader({ interval: '5m', read_in_setup: ['X', '5m'] })).toEqual({
      name: 'reader',
      status: 'ran',
      isolation: 'inline',
      placement: 'isolation "inline" in its entry',
      notifications: 1,
      signals: 0,
      errors: 0,
      invalid_signals: 0,
      inference_errors: 0,
      ...ANY_TIMES,
      overruns: 0,
      dropped: 0,
      queue_depth: 0,
      backpressure_events: 0,
    });
  });
});

describe('Engine: signals without orders and orders without fills', () => {
  it('records CLOSE while flat and HOLD as signals without orders', async () => {
    const { result, engine } = await run(
      probeSession({
        strategies: [
          {
            name: 'probe',
            config: {
              signals: {
                1: [{ symbol: 'X', action: 'CLOSE' }],
                2: [{ symbol: 'X', action: 'HOLD', reason: 'wait' }],
              },
            },
          },
        ],
      }),
    );
    expect(engine.recorder.signals).toEqual([
      { ts: closeOf(0), strategy: 'probe', signal: { symbol: 'X', action: 'CLOSE' } },
      { ts: closeOf(1), strategy: 'probe', signal: { symbol: 'X', action: 'HOLD', reason: 'wait' } },
    ]);
    expect(result.orders).toEqual({ total: 0, filled: 0, rejected: 0, cancelled: 0 });
    expect(result.strategies[0]).toMatchObject({ signals: 2 });
    expect(result.final_value).toBe(100_000);
  });

  it('cancels a market order raised on the last bar with the reason "run ended"', async () => {
    const { result, engine } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { signals: { 4: buy(5) } } }] }),
    );
    expect(engine.recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 5,
        type: 'market',
        tsCreated: closeOf(3),
        status: 'cancelled',
        tsClosed: closeOf(3),
        reason: 'run ended',
        ref: '#1',
      },
    ]);
    expect(result.orders).toEqual({ total: 1, filled: 0, rejected: 0, cancelled: 1 });
    expect(result.rejected_orders).toEqual([]);
    expect(engine.broker.openOrderCount).toBe(0);
    expect(result.final_value).toBe(100_000);
  });

  it('lists orders rejected by the broker with their reasons', async () => {
    const { result } = await run(
      probeSession({
        strategies: [
          { name: 'probe', config: { signals: { 1: [{ symbol: 'X', action: 'SELL', quantity: 3 }] } } },
        ],
      }),
    );
    expect(result.rejected_orders).toEqual([
      {
        id: 1,
        strategy: 'probe',
        symbol: 'X',
        side: 'sell',
        quantity: 3,
        time: new Date(closeOf(1)).toISOString(),
        reason: 'selling 3 with 0 held would open a short position; set broker.allow_short to allow it',
      },
    ]);
  });
});
