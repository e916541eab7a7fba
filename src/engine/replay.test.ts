import { describe, expect, it } from 'vitest';
import {
  MIN,
  metricsOf,
  paceSession,
  type PaceEntry,
  reportedSummary,
  runEngine,
  summaryOfStrategies,
  tradesOf,
} from '../../test/pace-sessions.ts';

// A replay of `bars` 1m bars at speed k is scheduled to take (bars - 1) minutes / k of wall time: the first
// step is due when the replay starts.
const scheduledMs = (bars: number, speed: number) => ((bars - 1) * MIN) / speed;

describe('Replay (speed_multiplier > 0)', () => {
  it('trades exactly like the backtest when its strategies keep up, and takes at least the scheduled time', async () => {
    const bars = 40;
    // 10 ms of wall time per bar: far more than a fast strategy needs, inline or in its thread.
    const speed = 6000;
    const strategies: PaceEntry[] = [
      { name: 'fast_inline', isolation: 'inline', config: { position_size: 2 } },
      { name: 'fast_thread', config: { position_size: 3 } },
    ];
    const backtest = await runEngine(paceSession({ bars, strategies }));
    const replay = await runEngine(paceSession({ bars, speed, strategies }));

    expect(replay.engine.syncMode).toBe('clock');
    expect(tradesOf(replay.engine)).toEqual(tradesOf(backtest.engine));
    // Two equally broken runs cannot pass: both strategies traded, on the same bars.
    const trades = backtest.engine.recorder.trades;
    expect(trades.filter((t) => t.strategy === 'fast_inline').length).toBeGreaterThan(3);
    expect(trades.filter((t) => t.strategy === 'fast_thread').length).toBe(
      trades.filter((t) => t.strategy === 'fast_inline').length,
    );
    expect(replay.engine.steps).toBe(bars);
    for (const name of ['fast_inline', 'fast_thread']) {
      expect(metricsOf(replay, name)).toMatchObject({ notifications: bars, overruns: 0, dropped: 0 });
    }

    expect(replay.runMs).toBeGreaterThanOrEqual(scheduledMs(bars, speed) - 3);
    const { avgLagMs, maxLagMs } = replay.metrics.system;
    expect(maxLagMs).toBeGreaterThan(0);
    expect(avgLagMs).toBeGreaterThan(0);
    expect(avgLagMs).toBeLessThanOrEqual(maxLagMs);
    // A data-driven backtest has no schedule to be late for.
    expect([backtest.metrics.system.avgLagMs, backtest.metrics.system.maxLagMs]).toEqual([0, 0]);
    expect(backtest.runMs).toBeLessThan(replay.runMs);
  });

  it('reports an inline strategy slower than the schedule as lag, not as overruns', async () => {
    const bars = 30;
    const busyMs = 4;
    // 2 ms of wall time per bar: each step starts at least 2 ms later than the one before was due.
    const speed = 30_000;
    const run = await runEngine(
      paceSession({
        bars,
        speed,
        strategies: [{ name: 'heavy', isolation: 'inline', config: { busy_ms: busyMs } }],
      }),
    );
    const budgetMs = MIN / speed;
    // Step i starts no earlier than i busy steps after the first, and was due i budgets after it.
    const lastLag = (bars - 1) * (busyMs - budgetMs);
    expect(run.metrics.system.maxLagMs).toBeGreaterThanOrEqual(lastLag - 1e-6);
    // The lags grow by at least (busy - budget) per step, so they average at least half the last one.
    expect(run.metrics.system.avgLagMs).toBeGreaterThanOrEqual(lastLag / 2 - 1e-6);
    expect(run.runMs).toBeGreaterThanOrEqual(bars * busyMs);
    expect(metricsOf(run, 'heavy')).toMatchObject({
      status: 'running',
      notifications: bars,
      overruns: 0,
      backpressureEvents: 0,
    });
    expect(run.metrics.system.backpressureEvents).toBe(0);
  });
});

describe('System metrics', () => {
  it('summarise the per-strategy figures: started, paused, faulted, signals, the slowest', async () => {
    const bars = 12;
    const session = paceSession({
      bars,
      strategies: [
        { name: 'quick_inline', isolation: 'inline', config: { hold: true } },
        { name: 'quick_thread', config: { hold: true } },
        { name: 'slowpoke', config: { busy_ms: 3, hold: true } },
        { name: 'exits', config: { exit_on: 4, hold: true } },
        { name: 'idle', config: { hold: true } },
        { name: 'refuses', module: 'probe', isolation: 'inline', config: { setup: 'false' } },
      ],
    });
    const run = await runEngine(session, {
      progressEvery: 1,
      onProgress: (engine, done) => {
        if (done === 1) engine.pauseStrategy('idle');
      },
    });
    expect(run.engine.failures.map((f) => f.name)).toEqual(['refuses']);
    expect(run.metrics.strategies.map((m) => [m.name, m.status, m.notifications, m.signals])).toEqual([
      ['quick_inline', 'running', bars, bars],
      ['quick_thread', 'running', bars, bars],
      ['slowpoke', 'running', bars, bars],
      ['exits', 'faulted', 3, 3],
      ['idle', 'paused', 1, 1],
    ]);
    expect(reportedSummary(run.metrics)).toEqual({
      strategiesTotal: 6,
      active: 3,
      paused: 1,
      faulted: 1,
      totalSignals: 3 * bars + 3 + 1,
      slowestStrategy: 'slowpoke',
      backpressureEvents: 0,
    });
    expect(reportedSummary(run.metrics)).toEqual(summaryOfStrategies(run.metrics, 1));
    expect(run.metrics.system.enginePaused).toBe(false);
  });
});
