import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import { ANY_TIMES } from '../../test/helpers.ts';
import {
  closeOf,
  fixtureSession,
  isolationFree,
  minuteBars,
  runSession,
  type SessionRun,
  withIsolation,
} from '../../test/fixture-sessions.ts';
import type { ZeroCopyReport } from '../../test/fixtures/project/strategies/zero_copy.ts';
import { Engine } from './kernel.ts';

type Run = SessionRun;

/** What each zero_copy instance reported, by instance name, in notification order. */
function reports(engine: Engine): Map<string, ZeroCopyReport[]> {
  const out = new Map<string, ZeroCopyReport[]>();
  for (const s of engine.recorder.signals) {
    if (s.signal.action !== 'HOLD' || s.signal.metadata === undefined) continue;
    const list = out.get(s.strategy) ?? [];
    list.push(s.signal.metadata as unknown as ZeroCopyReport);
    out.set(s.strategy, list);
  }
  return out;
}

/** Runs a session once in threads and once inline, the second only when the first is done. */
function bothWays(session: ReturnType<typeof fixtureSession>): () => Promise<{ threads: Run; inline: Run }> {
  let runs: Promise<{ threads: Run; inline: Run }> | undefined;
  return () =>
    (runs ??= (async () => ({
      threads: await runSession(withIsolation(session, 'thread'), 'threads'),
      inline: await runSession(withIsolation(session, 'inline'), 'inline'),
    }))());
}

describe('zero-copy bars in strategy threads', () => {
  it('reads the shared columns in place: what the processor publishes, a value written mid-run and a bar appended past the capacity, with no message', async () => {
    const rows = minuteBars(8);
    const session = fixtureSession({
      data: { X: rows },
      strategies: [
        ...[1, 2, 3, 4, 5, 6].map((k) => ({
          module: 'zero_copy',
          name: `thread_${k}`,
          config: { symbols: ['X'], interval: '1m', watch: 0 },
        })),
        {
          module: 'zero_copy',
          name: 'inline',
          isolation: 'inline' as const,
          config: { symbols: ['X'], interval: '1m', watch: 0 },
        },
      ],
    });
    const series = () => engine.loaded.data.get('X', '1m')!;
    const sentinel = 4242.25;
    const appended = { close: 200.5, time: closeOf(8) };
    // After the third step (the threads have been reading the series since their first notification):
    // overwrite bar 0's close in the shared column, and append a ninth bar to a series loaded with exactly
    // eight rows of capacity, so that its columns grow in place.
    const engine = await Engine.create({
      session,
      runId: 'zero-copy',
      logger: new MemoryLogger(),
      progressEvery: 1,
      onProgress: (done) => {
        if (done !== 3) return;
        new Float64Array(series().descriptor.close)[0] = sentinel;
        series().write(appended.time, 200, 201, 199.5, appended.close, 1000);
      },
    });
    // The workers received the buffers once, at start; from here on nothing may be posted to them.
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const initialBytes = series().descriptor.close.byteLength;
    try {
      await engine.run();
      await engine.stop();
    } finally {
      posted.mockRestore();
    }
    expect(posted).not.toHaveBeenCalled();
    expect(initialBytes).toBe(8 * 8);
    expect(series().descriptor.close.byteLength).toBeGreaterThan(initialBytes);
    expect(engine.steps).toBe(9);
    expect(engine.runners.map((r) => [r.name, r.placement.isolation])).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((k) => [`thread_${k}`, 'thread']),
      ['inline', 'inline'],
    ]);

    const expected: ZeroCopyReport[] = Array.from({ length: 9 }, (_, i) => ({
      n: i + 1,
      now: closeOf(i),
      length: i + 1,
      lastTime: closeOf(i),
      lastClose: i < 8 ? rows[i]!.close : appended.close,
      watched: i < 3 ? rows[0]!.close : sentinel,
    }));
    const seen = reports(engine);
    expect([...seen.keys()]).toEqual([...[1, 2, 3, 4, 5, 6].map((k) => `thread_${k}`), 'inline']);
    for (const [name, list] of seen) expect({ name, list }).toEqual({ name, list: expected });
  });
});

describe('bar memory with many strategy threads', () => {
  it('is the same with one thread strategy as with six: every thread reads the one set of shared columns', async () => {
    const rows = minuteBars(20_000);
    const bytes: number[] = [];
    const held: number[][] = [];
    for (const threads of [1, 6]) {
      const session = fixtureSession({
        data: { X: rows },
        strategies: Array.from({ length: threads }, (_, k) => ({
          module: 'zero_copy',
          name: `t${k}`,
          config: { symbols: ['X'], interval: '1m', report_memory_every: 1000 },
        })),
      });
      const engine = await Engine.create({ session, runId: `memory-${threads}`, logger: new MemoryLogger() });
      try {
        await engine.run();
        // What a worker is handed of the bars: shared buffers only, which a message shares, never copies.
        for (const d of engine.loaded.data.descriptors()) {
          for (const b of [d.time, d.open, d.high, d.low, d.close, d.volume, d.flags, d.meta]) {
            expect(b).toBeInstanceOf(SharedArrayBuffer);
          }
        }
        bytes.push(engine.loaded.data.bytes);
        // What each thread holds in ArrayBuffers of its own after reading every bar (its last report).
        held.push([...reports(engine).values()].map((list) => list.at(-1)!.arrayBuffers ?? Number.NaN));
      } finally {
        await engine.stop();
      }
    }
    expect(bytes[1]).toBe(bytes[0]);
    // Each thread holds a few tens of KB of buffers of its own however many bars it read: a copy of the
    // bars (about 1 MB here) in any thread would show, and six threads would hold six.
    expect(held.map((h) => h.length)).toEqual([1, 6]);
    for (const n of held.flat()) expect(n).toBeLessThan(bytes[0]! / 8);
  });
});

describe('a thread strategy with a queue of one', () => {
  // Three symbols on the same minutes plus a 5m series: each step notifies 3 or 4 subscriptions at once,
  // more than the ring holds, so the processor hands over a partial step and waits for room (the "block"
  // policy) several times per step.
  const session = fixtureSession({
    data: { X: minuteBars(10), Y: minuteBars(10, (i) => 50 + i), Z: minuteBars(10, (i) => 20 - i) },
    strategies: [
      {
        module: 'zero_copy',
        name: 'reporter',
        queue_size: 1,
        config: {
          symbols: ['X'],
          subscribe: [
            ['X', '1m'],
            ['Y', '1m'],
            ['Z', '1m'],
            ['X', '5m'],
          ],
        },
      },
      {
        module: 'slow',
        name: 'trader',
        queue_size: 1,
        config: { symbols: ['X', 'Y', 'Z'], interval: '1m', busy_ms: 0 },
      },
      { module: 'quality_log', queue_size: 1, config: { symbols: ['X', 'Y', 'Z'], interval: '1m' } },
    ],
  });
  const runs = bothWays(session);

  it('receives every notification, in order, and trades exactly as inline', async () => {
    const { threads, inline } = await runs();
    expect(threads.result.strategies).toEqual([
      {
        name: 'reporter',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 32,
        signals: 32,
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
        name: 'trader',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 30,
        signals: 30,
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
        name: 'quality_log',
        status: 'ran',
        isolation: 'thread',
        placement: 'isolation "thread" in its entry',
        notifications: 30,
        signals: 0,
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
    expect(threads.engine.getMetrics().strategies.map((m) => [m.name, m.dropped, m.queueDepth])).toEqual([
      ['reporter', 0, 0],
      ['trader', 0, 0],
      ['quality_log', 0, 0],
    ]);
    const reporter = reports(threads.engine).get('reporter')!;
    // Per step, in data order: X at 1m (then X at 5m when its bucket closes), Y, Z.
    expect(reporter.slice(0, 6).map((r) => [r.n, r.now, r.length, r.lastClose])).toEqual([
      [1, closeOf(0), 1, 100.5],
      [2, closeOf(0), 1, 50.5],
      [3, closeOf(0), 1, 20.5],
      [4, closeOf(1), 2, 107.5],
      [5, closeOf(1), 2, 51.5],
      [6, closeOf(1), 2, 19.5],
    ]);
    expect(reporter.filter((r) => r.now === closeOf(4)).map((r) => [r.n, r.length, r.lastClose])).toEqual([
      [13, 5, 106.5],
      [14, 1, 106.5],
      [15, 5, 54.5],
      [16, 5, 16.5],
    ]);
    expect(isolationFree(threads.result)).toEqual(isolationFree(inline.result));
    expect(threads.engine.recorder.signals).toEqual(inline.engine.recorder.signals);
    expect(threads.engine.recorder.fills).toEqual(inline.engine.recorder.fills);
    expect(threads.result.orders.filled).toBeGreaterThan(10);
  });

  it('hears every subscription’s quality update, as inline', async () => {
    const { threads, inline } = await runs();
    const quality = (r: Run) => r.log.records.filter((l) => l.msg.startsWith('quality ')).map((l) => l.msg);
    expect(quality(inline)).toHaveLength(3);
    expect(quality(threads)).toEqual(quality(inline));
  });
});

describe('a slow thread strategy in a data-driven backtest', () => {
  // 3 ms per bar, and 80 ms on its 7th notification: longer than the processor's first 50 ms wait, so that
  // step goes through the asynchronous wait (finish) as well.
  const session = fixtureSession({
    data: { X: minuteBars(20), Y: minuteBars(20, (i) => 30 + (i % 4)) },
    strategies: [
      { module: 'slow', config: { symbols: ['X', 'Y'], interval: '1m', busy_ms: 3, long_on: [7] } },
      { module: 'thrower', config: { symbols: ['X'], interval: '1m', throw_on: [2, 5], buy_on: [3] } },
    ],
  });
  const runs = bothWays(session);

  it('gives the same orders, fills and result as inline', async () => {
    const { threads, inline } = await runs();
    expect(threads.result.strategies.map((s) => [s.name, s.status, s.isolation])).toEqual([
      ['slow', 'ran', 'thread'],
      ['thrower', 'ran', 'thread'],
    ]);
    expect(isolationFree(threads.result)).toEqual(isolationFree(inline.result));
    expect(threads.engine.recorder.orders).toEqual(inline.engine.recorder.orders);
    expect(threads.engine.recorder.fills).toEqual(inline.engine.recorder.fills);
    expect(threads.engine.recorder.signals).toEqual(inline.engine.recorder.signals);
    expect(threads.result.trades.length).toBeGreaterThan(5);
  });

  it('reports notifications, signals, errors and processing times through engine.getMetrics(), in threads and inline', async () => {
    const { threads, inline } = await runs();
    for (const run of [threads, inline]) {
      const isolation = run === threads ? 'thread' : 'inline';
      const [slow, thrower] = run.engine.getMetrics().strategies;
      expect(slow).toMatchObject({
        name: 'slow',
        isolation,
        status: 'running',
        subscriptions: [
          ['X', '1m'],
          ['Y', '1m'],
        ],
        notifications: 40,
        signals: 40,
        errors: 0,
        invalidSignals: 0,
        inferenceErrors: 0,
      });
      expect(thrower).toMatchObject({
        name: 'thrower',
        isolation,
        status: 'running',
        subscriptions: [['X', '1m']],
        notifications: 20,
        signals: 1,
        errors: 2,
        invalidSignals: 0,
        inferenceErrors: 0,
      });
      // Every timed notification of `slow` took at least 3 ms (inline and in threads alike, every one of the first 256 is timed).
      expect(slow!.avgMs).toBeGreaterThanOrEqual(3);
      expect(slow!.p99Ms).toBeGreaterThanOrEqual(3);
      expect(slow!.p99Ms).toBeLessThanOrEqual(slow!.maxMs);
      expect(slow!.maxMs).toBeGreaterThanOrEqual(slow!.avgMs);
      expect(thrower!.avgMs).toBeLessThan(slow!.avgMs);
    }
    // The result keeps the same figures (engine.getMetrics() reads the same counters once the run is over).
    for (const run of [threads, inline]) {
      expect(
        run.result.strategies.map((s) => [
          s.avg_ms,
          s.p99_ms,
          s.max_ms,
          s.overruns,
          s.dropped,
          s.queue_depth,
        ]),
      ).toEqual(
        run.engine
          .getMetrics()
          .strategies.map((m) => [m.avgMs, m.p99Ms, m.maxMs, m.overruns, m.dropped, m.queueDepth]),
      );
    }
    const slowThread = threads.engine.getMetrics().strategies[0]!;
    // The thread times every notification, so the 80 ms one is its maximum.
    expect(slowThread.maxMs).toBeGreaterThanOrEqual(80);
    expect(slowThread.avgMs).toBeLessThan(slowThread.maxMs);
  });
});
