import { beforeAll, describe, expect, it } from 'vitest';
import { liveBars, pacedFeed, runLive } from '../../test/live-sessions.ts';
import { metricsOf, paceSession, pressureWarnings } from '../../test/pace-sessions.ts';
import type { BacktestOutcome } from '../report/backtest-outcome.ts';
import type { MemoryLogger } from '../core/logger.ts';

// Live bars 300 ms apart to thread strategies: one that takes 0.1 ms per bar, and two that take 500 ms,
// one warning and one pausing on backpressure.
const HISTORY = 3;
const BARS = 6;
const GAP_MS = 300;

describe('Overruns in a live run', () => {
  let run: BacktestOutcome & { log: MemoryLogger };
  beforeAll(async () => {
    const session = paceSession({
      bars: HISTORY,
      strategies: [
        { name: 'quick', on_backpressure: 'pause', config: { busy_ms: 0.1, hold: true } },
        { name: 'slow_warns', config: { busy_ms: 500, hold: true } },
        { name: 'slow_pauses', on_backpressure: 'pause', config: { busy_ms: 500, hold: true } },
      ],
    });
    run = await runLive(session, pacedFeed(liveBars(BARS, HISTORY), GAP_MS));
  }, 60_000);

  it('counts no overrun for a strategy that is done long before its next bar, and never pauses it', () => {
    expect(metricsOf(run.facts, 'quick')).toMatchObject({
      status: 'running',
      notifications: BARS,
      signals: BARS,
      overruns: 0,
      dropped: 0,
      backpressureEvents: 0,
    });
    expect(pressureWarnings(run.log, 'quick')).toEqual([]);
  });

  it('routes a fast thread’s signals before the next bar: each is recorded at the time of the bar it answers', () => {
    const times = liveBars(BARS, HISTORY).map((b) => b.tsClose);
    const routed = run.engine.recorder.signals.filter((s) => s.strategy === 'quick').map((s) => s.ts);
    expect(routed).toEqual(times);
    // Each BUY or CLOSE reached the broker with its latency timed; HOLD submits no order.
    const orders = run.engine.recorder.orders.filter((o) => o.strategy === 'quick').length;
    expect(orders).toBeGreaterThan(0);
    expect(run.result.feed).toMatchObject({ outcome: 'completed', reconnects: 0 });
    expect(run.result.feed!.latency.orders).toBeGreaterThanOrEqual(orders);
  });

  it('counts an overrun when a bar reaches a strategy still busy with the one before', () => {
    const m = metricsOf(run.facts, 'slow_warns');
    expect(m).toMatchObject({ status: 'running', notifications: BARS, signals: BARS });
    expect(m.overruns).toBeGreaterThan(0);
    expect(m.overruns).toBeLessThan(BARS);
    expect(pressureWarnings(run.log, 'slow_warns')).toContain(
      'backpressure: strategy slow_warns: it keeps overrunning its steps (its next bar was due while it was still busy)',
    );
    // It caught up at the end: every signal was routed.
    expect(run.engine.recorder.signals.filter((s) => s.strategy === 'slow_warns')).toHaveLength(BARS);
  });

  it('pauses a busy strategy with on_backpressure "pause" at its first overrun, not after its first bar', () => {
    const m = metricsOf(run.facts, 'slow_pauses');
    expect(m.status).toBe('paused');
    expect(m.overruns).toBe(1);
    expect(m.notifications).toBeGreaterThanOrEqual(2);
    expect(m.notifications).toBeLessThan(BARS);
  });
});
