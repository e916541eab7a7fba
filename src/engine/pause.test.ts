import { describe, expect, it } from 'vitest';
import { delay, monotonicMs } from '../core/clock.ts';
import {
  MIN,
  paceSession,
  type PaceEntry,
  reportedSummary,
  runEngine,
  summaryOfStrategies,
  tradesOf,
} from '../../test/pace-sessions.ts';
import { MemoryLogger } from '../core/logger.ts';
import { buy, probeSession } from '../../test/probe-sessions.ts';
import { Engine } from './kernel.ts';

const SLACK_MS = 3;

interface PausedView {
  readonly steps: number;
  readonly enginePaused: boolean;
  readonly notifications: readonly number[];
}

/** What the engine shows: its steps, whether it is paused, and each strategy's notifications. */
function view(engine: Engine): PausedView {
  const m = engine.getMetrics();
  return {
    steps: engine.steps,
    enginePaused: m.system.enginePaused,
    notifications: m.strategies.map((s) => s.notifications),
  };
}

/**
 * Run options that pause the engine at the progress report after step `at`, look at it after `pauseMs`
 * and resume it. `done` resolves with what was seen while paused and how long the pause lasted.
 */
function pauseAt(at: number, pauseMs: number) {
  let done: Promise<{ seen: PausedView; pausedMs: number }> | undefined;
  const onProgress = (engine: Engine, published: number) => {
    if (published !== at || done) return;
    engine.pause();
    const pausedAt = monotonicMs();
    done = delay(pauseMs).promise.then(() => {
      const seen = view(engine);
      const pausedMs = monotonicMs() - pausedAt;
      engine.resume();
      return { seen, pausedMs };
    });
  };
  return { options: { progressEvery: 1, onProgress }, paused: () => done };
}

describe('Engine.pause and resume', () => {
  it('runs no step while paused, and the resumed run trades as an uninterrupted one', async () => {
    const bars = 30;
    const entries: PaceEntry[] = [
      { name: 'on_engine', isolation: 'inline', config: { hold: true } },
      { name: 'in_thread', config: { hold: true, position_size: 2 } },
    ];
    const reference = await runEngine(
      paceSession({ bars, strategies: entries.map((e) => ({ ...e, isolation: 'inline' as const })) }),
    );
    const pause = pauseAt(10, 50);
    const run = await runEngine(paceSession({ bars, strategies: entries }), pause.options);
    const paused = await pause.paused();
    expect(paused?.seen).toEqual({ steps: 10, enginePaused: true, notifications: [10, 10] });
    expect(run.runMs).toBeGreaterThanOrEqual(50 - SLACK_MS);
    expect(view(run.engine)).toEqual({ steps: bars, enginePaused: false, notifications: [bars, bars] });
    for (const name of ['on_engine', 'in_thread']) {
      expect(tradesOf(run.engine, name)).toEqual(tradesOf(reference.engine, name));
    }
    expect(run.engine.recorder.orders).toEqual(reference.engine.recorder.orders);
    expect(run.engine.recorder.trades.length).toBeGreaterThan(3);
  });

  it('stops the replay clock while paused: the run takes the schedule plus the pause', async () => {
    const bars = 20;
    // 5 ms of wall time per bar: 95 ms scheduled.
    const speed = MIN / 5;
    const pause = pauseAt(10, 60);
    const run = await runEngine(
      paceSession({ bars, speed, strategies: [{ name: 'replayed', isolation: 'inline' }] }),
      pause.options,
    );
    const paused = await pause.paused();
    expect(paused?.seen).toEqual({ steps: 10, enginePaused: true, notifications: [10] });
    // Without the pause moving the schedule, the steps after it would catch up at once.
    expect(run.runMs).toBeGreaterThanOrEqual(95 + (paused?.pausedMs ?? Number.NaN) - SLACK_MS);
    expect(run.engine.steps).toBe(bars);
  });
});

describe('Engine.pauseStrategy and resumeStrategy', () => {
  it('deliver no notification to a paused strategy until it resumes; the others are unaffected', async () => {
    const bars = 30;
    const answers: Record<string, boolean[]> = { pause: [], resume: [] };
    const seen: Record<number, PausedView & { statuses: string[]; paused: number; active: number }> = {};
    const run = await runEngine(
      paceSession({
        bars,
        strategies: [
          { name: 'steady_inline', isolation: 'inline', config: { hold: true } },
          { name: 'steady_thread', config: { hold: true } },
          { name: 'napper_inline', isolation: 'inline', config: { hold: true } },
          { name: 'napper_thread', config: { hold: true } },
        ],
      }),
      {
        progressEvery: 5,
        onProgress: (engine, done) => {
          // Paused after step 10, resumed after step 25: steps 11 to 25 go to the steady ones only.
          if (done === 10) {
            answers.pause = ['napper_inline', 'napper_thread', 'nobody'].map((n) => engine.pauseStrategy(n));
          }
          if (done === 25) {
            answers.resume = ['napper_inline', 'napper_thread', 'nobody'].map((n) =>
              engine.resumeStrategy(n),
            );
          }
          const m = engine.getMetrics();
          seen[done] = {
            ...view(engine),
            statuses: m.strategies.map((s) => s.status),
            paused: m.system.paused,
            active: m.system.active,
          };
        },
      },
    );
    expect(answers).toEqual({ pause: [true, true, false], resume: [true, true, false] });
    expect(seen[15]).toEqual({
      steps: 15,
      enginePaused: false,
      notifications: [15, 15, 10, 10],
      statuses: ['running', 'running', 'paused', 'paused'],
      paused: 2,
      active: 2,
    });
    expect(seen[25]?.notifications).toEqual([25, 25, 10, 10]);
    expect(seen[30]?.statuses).toEqual(['running', 'running', 'running', 'running']);
    expect(run.metrics.strategies.map((m) => [m.name, m.notifications, m.signals])).toEqual([
      ['steady_inline', bars, bars],
      ['steady_thread', bars, bars],
      ['napper_inline', bars - 15, bars - 15],
      ['napper_thread', bars - 15, bars - 15],
    ]);
    expect(tradesOf(run.engine, 'napper_thread').signals).toHaveLength(bars - 15);
  });
});

describe('System metrics', () => {
  it('summarise the per-strategy figures: started, paused, faulted, signals, the slowest', async () => {
    const bars = 12;
    let answers: boolean[] = [];
    const run = await runEngine(
      paceSession({
        bars,
        strategies: [
          { name: 'quick_inline', isolation: 'inline', config: { hold: true } },
          { name: 'quick_thread', config: { hold: true } },
          { name: 'slowpoke', config: { busy_ms: 25, hold: true } },
          { name: 'exits', config: { exit_on: 4, hold: true } },
          { name: 'idle', config: { hold: true } },
          { name: 'refuses', module: 'probe', isolation: 'inline', config: { setup: 'false' } },
        ],
      }),
      {
        progressEvery: 1,
        onProgress: (engine, done) => {
          // A strategy that did not start is unknown to the engine.
          if (done === 1) answers = [engine.pauseStrategy('idle'), engine.pauseStrategy('refuses')];
        },
      },
    );
    expect(answers).toEqual([true, false]);
    expect(run.engine.failures.map((f) => f.name)).toEqual(['refuses']);
    expect(run.metrics.strategies.map((m) => [m.name, m.status, m.notifications, m.signals])).toEqual([
      ['quick_inline', 'running', bars, bars],
      ['quick_thread', 'running', bars, bars],
      ['slowpoke', 'running', bars, bars],
      ['exits', 'faulted', 3, 3],
      ['idle', 'paused', 1, 1],
    ]);
    expect(reportedSummary(run.metrics)).toMatchObject({
      strategiesTotal: 6,
      active: 3,
      paused: 1,
      faulted: 1,
      totalSignals: 3 * bars + 3 + 1,
      slowestStrategy: 'slowpoke',
    });
    expect(reportedSummary(run.metrics)).toEqual(summaryOfStrategies(run.metrics, 1));
    expect(run.metrics.system.enginePaused).toBe(false);
  });
});

describe('Engine told to stop while paused', () => {
  it('ends the run cancelled at once, the steps before the pause kept', async () => {
    const abort = new AbortController();
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'paused-stop',
      logger: new MemoryLogger(),
      abort: abort.signal,
      progressEvery: 1,
      onProgress: (done) => {
        if (done === 3 && !abort.signal.aborted) {
          engine.pause();
          abort.abort();
        }
      },
    });
    await engine.run();
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(3);
    expect(engine.getMetrics().system.enginePaused).toBe(false);
  });
});
