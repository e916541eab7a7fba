import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../core/clock.ts';
import { ANY_TIMES, ROOT } from '../../test/helpers.ts';
import {
  closeOf,
  fixtureSession,
  minuteBars,
  runOnce,
  runSession,
  type SessionRun,
} from '../../test/fixture-sessions.ts';
import type { FixtureRunSpec } from '../../test/fixtures/run-fixture-session.ts';

const errorsOf = (run: SessionRun) => run.log.records.filter((r) => r.level === 'error').map((r) => r.msg);
const ordersOf = (run: SessionRun, strategy: string) =>
  run.engine.recorder.orders
    .filter((o) => o.strategy === strategy)
    .map((o) => [o.symbol, o.quantity, o.tsCreated, o.status]);

describe('exceptions and crashes in strategy threads', () => {
  const run = runOnce(
    fixtureSession({
      data: { X: minuteBars(10), Y: minuteBars(10) },
      strategies: [
        {
          module: 'thrower',
          config: { symbols: ['X', 'Y'], interval: '1m', throw_on: [2, 3], buy_on: [1, 4] },
        },
        {
          module: 'thrower',
          name: 'thrower_inline',
          isolation: 'inline',
          config: { symbols: ['X', 'Y'], interval: '1m', throw_on: [2, 3], buy_on: [1, 4] },
        },
        { module: 'crasher', name: 'exits', config: { symbols: ['X'], interval: '1m', crash_on: 3 } },
        {
          module: 'crasher',
          name: 'bigint',
          config: { symbols: ['X'], interval: '1m', crash_on: 4, how: 'unserializable' },
        },
      ],
    }),
  );

  it('counts an exception in onBars, logs it with the strategy’s name, and keeps the strategy going', async () => {
    const r = await run();
    const [thread, inline] = r.result.strategies;
    expect(thread).toEqual({
      name: 'thrower',
      status: 'ran',
      isolation: 'thread',
      placement: 'isolation "thread" in its entry',
      notifications: 20,
      signals: 2,
      errors: 2,
      invalid_signals: 0,
      inference_errors: 0,
      ...ANY_TIMES,
      overruns: 0,
      dropped: 0,
      queue_depth: 0,
      backpressure_events: expect.any(Number) as number,
    });
    // Where it ran shows in its times and, for a thread only, in backpressure events.
    expect(inline).toEqual({
      ...thread,
      name: 'thrower_inline',
      isolation: 'inline',
      placement: 'isolation "inline" in its entry',
      ...ANY_TIMES,
      backpressure_events: 0,
    });
    expect(errorsOf(r).filter((m) => m.includes('thrower:'))).toEqual([
      'strategy thrower: onBars(Y, 1m) threw: thrower failed on notification 2',
      'strategy thrower: onBars(X, 1m) threw: thrower failed on notification 3',
    ]);
    // Its buy on notification 4, after the two failures, was routed and filled, as inline.
    expect(ordersOf(r, 'thrower')).toEqual(ordersOf(r, 'thrower_inline'));
    expect(ordersOf(r, 'thrower').map(([symbol, , , status]) => [symbol, status])).toEqual([
      ['X', 'filled'],
      ['Y', 'filled'],
    ]);
  });

  it('reports a crashed thread as faulted with the reason, keeps what it signalled before, and completes the run; unsendable signals are dropped and counted', async () => {
    const r = await run();
    expect(r.result.status).toBe('completed');
    expect(r.result.steps).toBe(10);
    expect(r.result.strategies.slice(2)).toEqual([
      // process.exit(3) inside a worker ends that thread only: it is seen as an unexpected exit.
      {
        name: 'exits',
        status: 'faulted',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 2,
        signals: 2,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
        reason: 'the strategy thread exited with code 3',
      },
      // A BigInt in a signal's metadata could not cross as JSON: that signal is dropped as invalid, and counted.
      {
        name: 'bigint',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 10,
        signals: 9,
        errors: 1,
        invalid_signals: 1,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
      },
    ]);
    expect(errorsOf(r)).toContain(
      'strategy bigint: onBars(X, 1m) returned an invalid signal (1 of 1), dropped: metadata.volume: 4n (a BigInt) cannot be written as JSON; pass a number or a string',
    );
    expect(errorsOf(r)).toContain(
      'strategy exits: the strategy thread exited with code 3; the run goes on without it',
    );
    // Each crasher bought on its first bar; that order went through before the crash.
    expect(ordersOf(r, 'exits')).toEqual([['X', 1, closeOf(0), 'filled']]);
    expect(ordersOf(r, 'bigint')).toEqual([['X', 1, closeOf(0), 'filled']]);
    const signalsOf = (name: string) => r.engine.recorder.signals.filter((s) => s.strategy === name).length;
    expect([signalsOf('exits'), signalsOf('bigint')]).toEqual([2, 9]);
  });
});

describe('inference errors in ML strategy threads', () => {
  const model = (isolation: 'thread' | 'inline') => ({
    module: 'misfit_model',
    name: `model_${isolation}`,
    isolation,
    config: { symbols: ['X'], interval: '1m', fail_on: [2, 3, 5], buy_on: [1, 4, 6] },
  });
  const run = runOnce(
    fixtureSession({ data: { X: minuteBars(8) }, strategies: [model('thread'), model('inline')] }),
  );

  it('are counted apart from hook errors, in a thread as inline, and the strategy keeps its other signals', async () => {
    const r = await run();
    const [thread, inline] = r.result.strategies;
    expect(thread).toEqual({
      name: 'model_thread',
      status: 'ran',
      isolation: 'thread',
      placement: 'isolation "thread" in its entry',
      notifications: 8,
      signals: 3,
      errors: 0,
      invalid_signals: 0,
      inference_errors: 3,
      ...ANY_TIMES,
      overruns: 0,
      dropped: 0,
      queue_depth: 0,
      backpressure_events: expect.any(Number) as number,
    });
    expect(inline).toEqual({
      ...thread,
      name: 'model_inline',
      isolation: 'inline',
      placement: 'isolation "inline" in its entry',
      ...ANY_TIMES,
      backpressure_events: 0,
    });
    expect(ordersOf(r, 'model_thread')).toEqual(ordersOf(r, 'model_inline'));
    expect(ordersOf(r, 'model_thread')).toHaveLength(3);
    expect(errorsOf(r).filter((m) => m.startsWith('strategy model_thread:'))).toEqual([
      `strategy model_thread: predictSignal(X at ${new Date(closeOf(1)).toISOString()}) threw: the model cannot score notification 2; no model signal for this bar`,
      `strategy model_thread: predictSignal(X at ${new Date(closeOf(2)).toISOString()}) threw: the model cannot score notification 3; no model signal for this bar`,
      `strategy model_thread: predictSignal(X at ${new Date(closeOf(4)).toISOString()}) threw: the model cannot score notification 5; no model signal for this bar`,
    ]);
  });
});

describe('an endless loop in a strategy thread', () => {
  it('trips step_timeout_ms: the thread is terminated and reported, and the run goes on without waiting for it', async () => {
    const t0 = monotonicMs();
    const r = await runSession(
      fixtureSession({
        data: { X: minuteBars(10) },
        strategies: [
          {
            module: 'looper',
            step_timeout_ms: 1500,
            config: { symbols: ['X'], interval: '1m', loop_on: 3 },
          },
          { module: 'thrower', name: 'healthy', config: { symbols: ['X'], interval: '1m', buy_on: [5] } },
        ],
      }),
    );
    const elapsedMs = monotonicMs() - t0;
    expect(r.result.strategies).toEqual([
      {
        name: 'looper',
        status: 'faulted',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 2,
        signals: 1,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
        reason: 'step timeout: still busy after 1500 ms (step_timeout_ms); terminated',
      },
      {
        name: 'healthy',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 10,
        signals: 1,
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
    expect(r.result.status).toBe('completed');
    expect(r.engine.recorder.orders.map((o) => [o.strategy, o.status])).toEqual([
      ['looper', 'filled'],
      ['healthy', 'filled'],
    ]);
    // The default step_timeout_ms is 10 s: under it, the 1.5 s limit is what ended the wait.
    expect(elapsedMs).toBeLessThan(9500);
  });

  // With a full ring ("block" policy) the processor waits for room synchronously, without the event loop:
  // the step timeout must end a thread that never makes room, whether it loops or has crashed (its 'exit'
  // event cannot be delivered there). This once hung the run forever; a regression would block this test's
  // own thread too, so the run goes in a child process, killed after 30 s.
  it('does not hang when the looping or crashing thread’s queue is full (queue_size 1, two series a step)', async () => {
    const spec: FixtureRunSpec = {
      bars: { X: 6, Y: 6 },
      strategies: [
        {
          module: 'looper',
          queue_size: 1,
          step_timeout_ms: 1500,
          config: { symbols: ['X', 'Y'], interval: '1m', loop_on: 3 },
        },
        {
          module: 'crasher',
          queue_size: 1,
          step_timeout_ms: 1500,
          config: { symbols: ['X', 'Y'], interval: '1m', crash_on: 3 },
        },
      ],
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(ROOT, 'test/fixtures/run-fixture-session.ts'), JSON.stringify(spec)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
    const timeout = 'step timeout: still busy after 1500 ms (step_timeout_ms); terminated';
    expect(JSON.parse(stdout)).toEqual([
      {
        name: 'looper',
        status: 'faulted',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 2,
        signals: 1,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
        reason: timeout,
      },
      {
        name: 'crasher',
        status: 'faulted',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 2,
        signals: 2,
        errors: 0,
        invalid_signals: 0,
        inference_errors: 0,
        ...ANY_TIMES,
        overruns: 0,
        dropped: 0,
        queue_depth: 0,
        backpressure_events: expect.any(Number) as number,
        reason: timeout,
      },
    ]);
  }, 45_000);
});
