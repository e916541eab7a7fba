import { describe, expect, it } from 'vitest';
import { ANY_TIMES } from '../../test/helpers.ts';
import { fixtureSession, minuteBars, runOnce, type SessionRun } from '../../test/fixture-sessions.ts';

// Strategy threads that refuse to start, and teardowns that fail: reported, logged, and the run goes on.

const errorsOf = (run: SessionRun) => run.log.records.filter((r) => r.level === 'error').map((r) => r.msg);

describe('setup failures in strategy threads', () => {
  const run = runOnce(
    fixtureSession({
      data: { X: minuteBars(4) },
      strategies: [
        { module: 'thrower', name: 'refuses', config: { symbols: ['X'], interval: '1m', setup: 'false' } },
        { module: 'thrower', name: 'breaks', config: { symbols: ['X'], interval: '1m', setup: 'throw' } },
        // Its setup takes 300 ms, so the two failed threads have long exited when the engine moves on.
        {
          module: 'thrower',
          name: 'works',
          config: { symbols: ['X'], interval: '1m', buy_on: [1], setup_delay_ms: 300 },
        },
      ],
    }),
  );

  it('reports a thread whose setup returns false or throws as not started, with the reason, and runs the others', async () => {
    const r = await run();
    expect(r.result.strategies).toEqual([
      {
        name: 'works',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 4,
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
        reason: 'setup threw: breaks refuses to set up',
      },
    ]);
    expect(r.log.records.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'strategy refuses did not start: setup returned false',
      'strategy breaks did not start: setup threw: breaks refuses to set up',
    ]);
    expect(r.result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
  });

  it('logs no error for the threads that did not start', async () => {
    const r = await run();
    expect(errorsOf(r)).toEqual([]);
  });
});

describe('teardown failures', () => {
  const run = runOnce(
    fixtureSession({
      data: { X: minuteBars(3) },
      strategies: [
        { module: 'teardown_fails', name: 'fails_thread', config: { symbols: ['X'], interval: '1m' } },
        {
          module: 'teardown_fails',
          name: 'fails_inline',
          isolation: 'inline',
          config: { symbols: ['X'], interval: '1m' },
        },
        {
          module: 'teardown_fails',
          name: 'ok_thread',
          config: { symbols: ['X'], interval: '1m', fail: false },
        },
      ],
    }),
  );

  it('logs a teardown that throws, with the strategy’s name, and shuts the others down', async () => {
    const r = await run();
    expect(r.result.status).toBe('completed');
    expect(r.result.strategies.map((s) => [s.name, s.status, s.notifications])).toEqual([
      ['fails_thread', 'ran', 3],
      ['fails_inline', 'ran', 3],
      ['ok_thread', 'ran', 3],
    ]);
    expect(errorsOf(r).sort()).toEqual([
      'strategy fails_inline: teardown threw: fails_inline cannot release its resources',
      'strategy fails_thread: teardown threw: fails_thread cannot release its resources',
    ]);
    // Every teardown ran, including those after a failing one.
    expect(r.log.records.filter((l) => l.msg === 'teardown ran')).toHaveLength(3);
  });

  it('counts a teardown error in a thread as inline does', async () => {
    const r = await run();
    const errors = Object.fromEntries(r.result.strategies.map((s) => [s.name, s.errors]));
    expect(errors['fails_inline']).toBe(1);
    expect(errors['fails_thread']).toBe(errors['fails_inline']);
  });

  it('passes the fields of a thread strategy’s log record on to the engine’s logger', async () => {
    const r = await run();
    const ran = r.log.records.filter((l) => l.msg === 'teardown ran').map((l) => l.fields);
    expect(ran).toEqual(
      expect.arrayContaining([
        { strategy: 'fails_thread' },
        { strategy: 'fails_inline' },
        { strategy: 'ok_thread' },
      ]),
    );
  });
});
