import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  MIN,
  T0,
  metricsOf,
  paceSession,
  type PaceEntry,
  runEngine,
  tradesOf,
} from '../../test/pace-sessions.ts';

// A replay of `bars` bars `spacingMs` apart at speed k is scheduled to take (bars - 1) * spacing / k of wall
// time: the first step is due when the replay starts. A timer may fire up to about 1 ms early.
const scheduledMs = (bars: number, speed: number, spacingMs = MIN) => ((bars - 1) * spacingMs) / speed;
const SLACK_MS = 3;
const DAY = 86_400_000;

describe('Replay (speed_multiplier > 0)', () => {
  it('trades like the backtest while its strategies keep up, and takes at least the scheduled time', async () => {
    const bars = 20;
    const entries: PaceEntry[] = [
      { name: 'fast_inline', isolation: 'inline', config: { position_size: 2 } },
      { name: 'fast_thread', config: { position_size: 3, on_notified_bar: true } },
    ];
    // The reference runs both inline: in a backtest a thread trades exactly as inline (threads.test.ts).
    const backtest = await runEngine(
      paceSession({ bars, strategies: entries.map((e) => ({ ...e, isolation: 'inline' as const })) }),
    );
    const inline = tradesOf(backtest.engine, 'fast_inline');
    const thread = tradesOf(backtest.engine, 'fast_thread');
    expect(inline.trades.length).toBeGreaterThan(3);
    expect(thread.trades.length).toBe(inline.trades.length);
    expect([backtest.metrics.system.avgLagMs, backtest.metrics.system.maxLagMs]).toEqual([0, 0]);

    // A busy machine can stall the engine for longer than a step's budget; the thread's signals of that
    // step are then routed a step late, as documented, and its trades differ. So the thread gets up to
    // three replays, at 10, 20 and 40 ms per bar, to keep up in; all else is asserted on every replay.
    let replayed: ReturnType<typeof tradesOf> | undefined;
    for (const msPerBar of [10, 20, 40]) {
      const speed = MIN / msPerBar;
      const replay = await runEngine(paceSession({ bars, speed, strategies: entries }));
      expect(replay.engine.syncMode).toBe('clock');
      expect(replay.engine.steps).toBe(bars);
      expect(tradesOf(replay.engine, 'fast_inline')).toEqual(inline);
      expect(metricsOf(replay, 'fast_inline')).toMatchObject({ notifications: bars, overruns: 0 });
      // Late or not, the thread handled every bar and raised the backtest's signals, none routed early.
      expect(metricsOf(replay, 'fast_thread')).toMatchObject({ notifications: bars, dropped: 0 });
      replayed = tradesOf(replay.engine, 'fast_thread');
      expect(replayed.signals.map((r) => r.signal)).toEqual(thread.signals.map((r) => r.signal));
      replayed.signals.forEach((r, k) => expect(r.ts).toBeGreaterThanOrEqual(thread.signals[k]!.ts));
      expect(replay.runMs).toBeGreaterThanOrEqual(scheduledMs(bars, speed) - SLACK_MS);
      const { avgLagMs, maxLagMs } = replay.metrics.system;
      expect(avgLagMs).toBeGreaterThan(0);
      expect(maxLagMs).toBeGreaterThanOrEqual(avgLagMs);
      if (isDeepStrictEqual(replayed, thread)) break;
    }
    expect(replayed).toEqual(thread);
  });

  it('reports an inline strategy slower than the schedule as lag, not as overruns', async () => {
    const bars = 30;
    const busyMs = 4;
    // 2 ms of wall time per bar: each step starts at least 2 ms later than the one before it was due.
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
    const lastLagMs = (bars - 1) * (busyMs - budgetMs);
    expect(run.metrics.system.maxLagMs).toBeGreaterThanOrEqual(lastLagMs - 1e-6);
    // The lags grow by at least (busy - budget) per step, so they average at least half the last one.
    expect(run.metrics.system.avgLagMs).toBeGreaterThanOrEqual(lastLagMs / 2 - 1e-6);
    expect(run.runMs).toBeGreaterThanOrEqual(bars * busyMs);
    expect(metricsOf(run, 'heavy')).toMatchObject({
      status: 'running',
      notifications: bars,
      overruns: 0,
      backpressureEvents: 0,
    });
    expect(run.metrics.system.backpressureEvents).toBe(0);
  });

  it('routes every signal of a late thread whose series ends early, once it has caught up', async () => {
    // Y has 3 bars, X goes on for 40: the late thread is never notified again after Y's last bar.
    const speed = 12_000;
    const run = await runEngine(
      paceSession({
        bars: { X: 40, Y: 3 },
        speed,
        strategies: [
          { name: 'on_x', isolation: 'inline' },
          // 8 ms per bar against 5 ms per step: late on its first bar already, done long before the end.
          { name: 'late_y', config: { symbols: ['Y'], busy_ms: 8, hold: true } },
        ],
      }),
    );
    const late = metricsOf(run, 'late_y');
    expect(late).toMatchObject({ notifications: 3, signals: 3 });
    expect(late.overruns).toBeGreaterThan(0);
    const routed = run.engine.recorder.signals.filter((s) => s.strategy === 'late_y');
    expect(routed).toHaveLength(3);
    // Never before the bar it answers.
    routed.forEach((s, k) => expect(s.ts).toBeGreaterThanOrEqual(T0 + (k + 1) * MIN));
  });

  it('does not count a thread hearing its bar quality at a new session day as an overrun', async () => {
    // Four bars a day apart, 300 ms of wall time per day: three session-day changes, each with a quality
    // update that takes the threads 3 ms, well within the budget of the step that follows.
    const bars = 4;
    const speed = DAY / 300;
    const config = { quality_busy_ms: 3 };
    const run = await runEngine(
      paceSession({
        bars,
        spacingMs: DAY,
        speed,
        strategies: [
          { name: 'pauses', on_backpressure: 'pause', config },
          { name: 'warns', on_backpressure: 'warn', config },
        ],
      }),
    );
    expect(run.runMs).toBeGreaterThanOrEqual(scheduledMs(bars, speed, DAY) - SLACK_MS);
    // Paused at the first day change, it would have missed the bars after it.
    expect(metricsOf(run, 'pauses').notifications).toBe(bars);
    // Fewer overruns than day changes (the last step of a replay has no budget, so it may count one).
    expect(metricsOf(run, 'warns').overruns).toBeLessThan(bars - 1);
  });
});
