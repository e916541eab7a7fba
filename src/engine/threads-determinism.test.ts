import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig, type LoadedSession } from '../config/session-config.ts';
import { ANY_TIMES, ROOT } from '../../test/helpers.ts';
import { isolationFree, runSession, type SessionRun, withIsolation } from '../../test/fixture-sessions.ts';

// Strategies in worker threads against the same strategies inline, on the bundled real data: in a
// data-driven backtest the step barrier and the registration-order gathering of signals must make the two
// indistinguishable, down to every order, fill, signal and equity point.

const example = (name: string): LoadedSession =>
  loadSessionConfig(resolve(ROOT, `config/examples/${name}.json`));

type Run = SessionRun;

/** Asserts that two runs produced the same events and result (apart from where strategies ran). */
function expectSameRun(a: Run, b: Run): void {
  expect(isolationFree(b.result)).toEqual(isolationFree(a.result));
  expect(b.engine.recorder.orders).toEqual(a.engine.recorder.orders);
  expect(b.engine.recorder.fills).toEqual(a.engine.recorder.fills);
  expect(b.engine.recorder.trades).toEqual(a.engine.recorder.trades);
  expect(b.engine.recorder.signals).toEqual(a.engine.recorder.signals);
  expect(b.engine.recorder.equity).toEqual(a.engine.recorder.equity);
}

const isolations = (r: Run) => r.result.strategies.map((s) => [s.name, s.status, s.isolation]);

describe('threads against inline on real data', () => {
  it('gives the daily portfolio (3 strategies, 3 symbols) the same results in threads, twice, and inline', async () => {
    const session = example('daily-portfolio');
    const first = await runSession(withIsolation(session, 'thread'), 'first');
    const second = await runSession(withIsolation(session, 'thread'), 'second');
    const inline = await runSession(withIsolation(session, 'inline'), 'inline');
    expect(isolations(first)).toEqual([
      ['simple_ma_cross', 'ran', 'thread'],
      ['rsi', 'ran', 'thread'],
      ['buy_and_hold', 'ran', 'thread'],
    ]);
    expect(isolations(inline).map(([, , i]) => i)).toEqual(['inline', 'inline', 'inline']);
    expectSameRun(first, second);
    expectSameRun(inline, first);
    // Not two equally empty runs: the example's figures.
    expect(first.result.trades).toHaveLength(188);
    expect(first.result.orders).toEqual({ total: 382, filled: 382, rejected: 0, cancelled: 0 });
    expect(first.result.final_value).toBeCloseTo(116_282.23758892, 6);
  });

  it('gives the intraday ETFs (1m and 15m, quality updates) the same results in threads as inline', async () => {
    // One thread run only: it is the costliest run of the suite (138 373 steps, each a round trip).
    const session = example('intraday-etfs');
    const first = await runSession(withIsolation(session, 'thread'), 'first');
    const inline = await runSession(withIsolation(session, 'inline'), 'inline');
    expect(isolations(first)).toEqual([
      ['vwap', 'ran', 'thread'],
      ['simple_ma_cross', 'ran', 'thread'],
    ]);
    expectSameRun(inline, first);
    expect(first.result.strategies.map((s) => [s.notifications, s.errors])).toEqual([
      [145_243, 0],
      [27_746, 0],
    ]);
    expect([first.result.steps, first.result.trades.length]).toEqual([138_373, 1804]);
    expect(first.result.final_value).toBeCloseTo(96_429.8787, 6);
  });

  it('reproduces the ORCL reference figures with the strategy in a thread', async () => {
    const session = withIsolation(example('orcl-sma-cross'), 'thread');
    const { result } = await runSession(session);
    expect(result.strategies).toEqual([
      {
        name: 'simple_ma_cross',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 5036,
        signals: expect.any(Number) as number,
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
    expect(result.trades).toHaveLength(97);
    expect(Math.abs(result.final_value - 100_264.606_52)).toBeLessThan(1e-6);
  });
});
