// Item 6 of the fault suite, the strategy-thread half: a thread strategy that allocates without bound, on
// the V8 heap or off it, is faulted at its limit with a message naming the key that raises it; the run
// completes and the other strategies' trades are intact. Its memory is reported in its metrics.
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/engine/backtest.ts';
import { faultSession, runFaultSession, steady, strategyOf, tradesOf } from './timeouts/session.fixture.ts';

const BARS = 400;

const alone = await runFaultSession(faultSession({ bars: BARS, strategies: [steady('thread')] }));

/** A thread strategy that keeps `mb_per_bar` of `memory` on each bar. */
const hoarder = (memory: 'heap' | 'offheap', limits: Readonly<Record<string, number>>) => ({
  module: 'strategies/hoarder',
  isolation: 'thread',
  ...limits,
  config: { symbols: ['A'], interval: '1m', memory, mb_per_bar: 4 },
});

describe('a strategy thread is held to its memory limits', () => {
  it('a thread whose heap grows without bound is faulted at max_heap_mb; the run completes', async () => {
    const { result, log } = await runFaultSession(
      faultSession({ bars: BARS, strategies: [hoarder('heap', { max_heap_mb: 64 }), steady('thread')] }),
    );
    expect(result.status).toBe('completed');
    const s = strategyOf(result, 'hoarder');
    expect(s.status).toBe('faulted');
    expect(s.reason).toBe(
      'the strategy thread crashed: its heap reached its limit of 64 MB (max_heap_mb); raise strategies[0].max_heap_mb if it needs more',
    );
    expect(s.notifications).toBeLessThan(BARS);
    expect(log.records.some((r) => r.level === 'error' && r.msg.includes('max_heap_mb'))).toBe(true);
    expect(tradesOf(result, 'steady')).toEqual(tradesOf(alone.result, 'steady'));
  });

  it('a thread whose off-heap memory grows without bound is faulted past max_offheap_mb; the run completes', async () => {
    const { result } = await runFaultSession(
      faultSession({
        bars: BARS,
        strategies: [hoarder('offheap', { max_offheap_mb: 64 }), steady('thread')],
      }),
    );
    expect(result.status).toBe('completed');
    const s = strategyOf(result, 'hoarder');
    expect(s.status).toBe('faulted');
    expect(s.reason).toMatch(
      /^its off-heap memory grew \d+ MB since setup, past its limit of 64 MB \(max_offheap_mb\); raise strategies\[0\]\.max_offheap_mb if it needs more$/,
    );
    // Checked every 8 steps at 4 MB a bar: faulted within 8 bars of passing 64 MB.
    expect(s.notifications).toBeGreaterThanOrEqual(16);
    expect(s.notifications).toBeLessThanOrEqual(16 + 8 + 1);
    expect(tradesOf(result, 'steady')).toEqual(tradesOf(alone.result, 'steady'));
  });

  it("reports a thread's memory in its metrics", async () => {
    const bars = 100;
    const { engine } = await runBacktest({
      session: faultSession({ bars, strategies: [hoarder('offheap', { max_offheap_mb: 1024 })] }),
      runId: 'memory',
      startedAt: 0,
    });
    const [m] = engine.getMetrics().strategies;
    expect(m?.status).toBe('running');
    expect(m?.heapMb).toBeGreaterThan(0);
    // About 4 MB a bar, last read at a multiple of 8 steps.
    expect(m?.offheapMb).toBeGreaterThan(4 * (bars - 16));
    expect(m?.offheapMb).toBeLessThan(4 * (bars + 16));
  });
});
