// The kernel: stopping early, progress, the equity curve, determinism.
import { availableParallelism } from 'node:os';
import { scriptedFeed } from '../data/feeds/feed.fixture.ts';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig } from '../config/session-config.ts';
import { MemoryLogger } from '../core/logger.ts';
import { ANY_TIMES, ROOT, session as projectSession, wallTimeFree } from '../../test/helpers.ts';
import { buy, closeOf, minuteBars, probeRecords, probeSession, run } from '../../test/probe-sessions.ts';
import { fixtureSession, minuteBars as fixtureBars, runSession } from '../../test/fixture-sessions.ts';
import { runBacktest } from './backtest.ts';
import { Engine } from './kernel.ts';

describe('Engine: stopping early', () => {
  it('runs no step when the signal is already aborted', async () => {
    const log = new MemoryLogger();
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'pre-aborted',
      logger: log,
      abort: AbortSignal.abort(),
    });
    await engine.run();
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(0);
    expect(probeRecords(log)).toEqual([]);
    expect(engine.recorder.orders).toEqual([]);
    expect(engine.recorder.equity).toEqual([]);
  });

  it('ends a live run at once when the signal is already aborted, though its feed never ends', async () => {
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'pre-aborted-live',
      logger: new MemoryLogger(),
      abort: AbortSignal.abort(),
      syncMode: 'live',
    });
    const calls: string[] = [];
    // A feed that delivers nothing and never ends by itself.
    await engine.runLive(
      scriptedFeed(
        'silent',
        () => calls.push('start'),
        () => calls.push('stop'),
      ),
    );
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(0);
    expect(calls).toEqual(['start', 'stop']);
    expect(engine.recorder.orders).toEqual([]);
  });

  it('stops at the next abort check when the signal fires mid-run, keeping what it gathered', async () => {
    const log = new MemoryLogger();
    const progress: [number, number][] = [];
    const controller = new AbortController();
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'abort',
      logger: log,
      progressEvery: 1,
      abort: controller.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        controller.abort();
      },
    });
    await engine.run();
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(1);
    expect(engine.progress).toEqual({ done: 1, total: 4 });
    expect(progress).toEqual([
      [1, 4],
      [1, 4],
    ]);
    expect(probeRecords(log).map((r) => r.n)).toEqual([1]);
    expect(engine.recorder.signals.map((s) => [s.ts, s.orderId])).toEqual([[closeOf(0), 1]]);
    expect(engine.recorder.orders).toMatchObject([
      { id: 1, status: 'cancelled', tsClosed: closeOf(0), reason: 'run cancelled' },
    ]);
    expect(engine.recorder.equity).toEqual([{ ts: closeOf(0), equity: 100_000, cash: 100_000 }]);
  });

  it('reports a backtest stopped by an aborted signal as cancelled with the steps run so far', async () => {
    // Checked every 65 536 steps here; FXY has more 1m bars than that.
    const controller = new AbortController();
    const { facts } = await runBacktest({
      session: projectSession({
        data: [
          { symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: 'us_equities' },
        ],
        strategies: [
          {
            module: 'strategies/examples/buy_and_hold',
            config: { symbols: ['FXY'], interval: '1m', position_size: 10 },
          },
        ],
      }),
      runId: 'cancelled',
      startedAt: 0,
      abort: controller.signal,
      progressEvery: 65_536,
      onProgress: () => controller.abort(),
    });
    expect(facts.status).toBe('cancelled');
    expect([facts.steps, facts.bars]).toEqual([65_536, 65_536]);
    expect(facts.orders.map((o) => o.status)).toEqual(['filled']);
    expect(facts.primary.openPositions).toMatchObject([
      { strategy: 'buy_and_hold', symbol: 'FXY', quantity: 10 },
    ]);
    expect(facts.equity.at(-1)?.equity).toBe(facts.primary.finalValue);
  });
});

describe('Engine: progress', () => {
  it('reports progress during a run whose steps are slow, not only at its end (a beat in time, not in steps)', async () => {
    // 48 bars of 10 ms each: at least 480 ms, so the 100 ms beat falls due several times before the end.
    const reports: [number, number][] = [];
    const { facts } = await runBacktest({
      session: fixtureSession({
        data: { X: fixtureBars(48) },
        strategies: [
          {
            module: 'slow',
            isolation: 'inline',
            config: { symbols: ['X'], interval: '1m', busy_ms: 10 },
          },
        ],
      }),
      runId: 'progress',
      startedAt: 0,
      onProgress: (done, total) => reports.push([done, total]),
    });
    expect(facts.status).toBe('completed');
    // Each 16-step look comes at least 160 ms after the one before, past the beat: it reports.
    expect(reports).toEqual([
      [16, 48],
      [32, 48],
      [48, 48],
      [48, 48],
    ]);
  });
});

describe('Engine: equity curve', () => {
  it('records one equity point per UTC day, at its last step, the last equal to the final value', async () => {
    const rows = [
      ...minuteBars(
        [
          { open: 100, close: 100 },
          { open: 101, close: 102 },
        ],
        Date.UTC(2024, 0, 2, 10, 0),
      ),
      ...minuteBars(
        [
          { open: 103, close: 104 },
          { open: 105, close: 106 },
        ],
        Date.UTC(2024, 0, 3, 9, 0),
      ),
      ...minuteBars([{ open: 107, close: 108 }], Date.UTC(2024, 0, 4, 9, 0)),
    ];
    const { result, engine } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        strategies: [{ name: 'probe', config: { signals: { 1: buy(10) } } }],
      }),
    );
    // Bought 10 at 101: cash 98 990, marked at each day's last close.
    expect(result.equity).toEqual([
      { time: '2024-01-02T10:02:00.000Z', equity: 98_990 + 1020, cash: 98_990 },
      { time: '2024-01-03T09:02:00.000Z', equity: 98_990 + 1060, cash: 98_990 },
      { time: '2024-01-04T09:01:00.000Z', equity: 98_990 + 1080, cash: 98_990 },
    ]);
    expect(result.final_value).toBe(100_070);
    expect(result.equity.at(-1)?.equity).toBe(result.final_value);
    expect(engine.exposureSteps).toBe(4);
  });
});

/** The placement `auto` gives a light strategy in a data-driven backtest on two cores or more. */
const AUTO_INLINE = expect.stringMatching(
  availableParallelism() >= 2
    ? /^auto: measured [0-9.]+ us per bar in a warm-up, under the 25 us a thread repays$/
    : /^auto: one core/,
) as string;

describe('Engine: determinism', () => {
  it('gives deep-equal results when the daily-portfolio example runs twice', async () => {
    const session = loadSessionConfig(resolve(ROOT, 'config/examples/daily-portfolio.json'));
    const a = await runSession(session, 'a');
    const b = await runSession(session, 'b');
    expect(b.result.run_id).toBe('b');
    expect(wallTimeFree(b.result)).toEqual(wallTimeFree(a.result));
    expect(b.engine.recorder.orders).toEqual(a.engine.recorder.orders);
    expect(b.engine.recorder.fills).toEqual(a.engine.recorder.fills);
    expect(b.engine.recorder.signals).toEqual(a.engine.recorder.signals);
    // Golden figures of this example, so that two equally broken runs cannot pass.
    expect(a.result.strategies).toEqual([
      {
        name: 'simple_ma_cross',
        status: 'ran',
        isolation: 'inline',
        placement: AUTO_INLINE,
        notifications: 13_761,
        signals: 291,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
      },
      {
        name: 'rsi',
        status: 'ran',
        isolation: 'inline',
        placement: AUTO_INLINE,
        notifications: 13_761,
        signals: 88,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
      },
      {
        name: 'buy_and_hold',
        status: 'ran',
        isolation: 'inline',
        placement: AUTO_INLINE,
        notifications: 13_761,
        signals: 3,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
      },
    ]);
    expect(a.result.orders).toEqual({ total: 382, filled: 382, rejected: 0, cancelled: 0 });
    expect(a.result.trades).toHaveLength(188);
    expect(a.result.open_positions).toHaveLength(6);
    expect([a.result.bars, a.result.steps, a.result.equity.length]).toEqual([13_761, 5036, 5036]);
    expect(a.result.final_value).toBeCloseTo(116_282.23758892, 6);
    expect(a.result.equity.at(-1)).toEqual({
      time: '2014-12-31T21:00:00.000Z',
      equity: a.result.final_value,
      cash: a.result.cash,
    });
  });
});
