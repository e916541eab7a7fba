import { describe, expect, it } from 'vitest';
import { delay, monotonicMs } from '../core/clock.ts';
import { ReplayPacer } from './pacer.ts';

// Real delays of tens of ms. Bounds are derived from readings taken around each call, so they hold however
// late timers fire; only lower bounds on waiting are asserted. The pacer itself does not sleep for a step
// due within 1 ms, and a timer may fire up to about 1 ms early: hence the slack on waits.
const SLACK_MS = 3;
const T0 = Date.UTC(2024, 0, 2);

/** Busy-waits until `ms` have passed since `fromMs` (a monotonic reading). */
function busyUntil(fromMs: number, ms: number): void {
  while (monotonicMs() < fromMs + ms) {
    // Late on purpose.
  }
}

describe('ReplayPacer: the schedule', () => {
  it('runs step t no earlier than wall0 + (t - t0) / speed', async () => {
    // 1000 x: a simulated second takes a wall millisecond.
    const pacer = new ReplayPacer(1000);
    const before = monotonicMs();
    await pacer.waitFor(T0);
    const started: number[] = [];
    for (const simMs of [10_000, 25_000, 40_000]) {
      await pacer.waitFor(T0 + simMs);
      started.push(monotonicMs() - before);
    }
    // wall0 is read inside the first waitFor, after `before`: each step ran at least its offset later.
    expect(started[0]).toBeGreaterThanOrEqual(10 - SLACK_MS);
    expect(started[1]).toBeGreaterThanOrEqual(25 - SLACK_MS);
    expect(started[2]).toBeGreaterThanOrEqual(40 - SLACK_MS);
  });

  it('takes at least the span over the speed for a whole replay, at two speeds', async () => {
    const span = async (speed: number) => {
      const pacer = new ReplayPacer(speed);
      const before = monotonicMs();
      // Twelve steps a simulated minute apart.
      for (let i = 0; i < 12; i++) await pacer.waitFor(T0 + i * 60_000);
      return monotonicMs() - before;
    };
    // 11 minutes at 22 000 x is 30 ms; at 11 000 x, 60 ms.
    expect(await span(22_000)).toBeGreaterThanOrEqual(30 - SLACK_MS);
    expect(await span(11_000)).toBeGreaterThanOrEqual(60 - SLACK_MS);
  });
});

describe('ReplayPacer: the budget of a step', () => {
  it('is the wall time left until the next step is due, never negative, and 0 without a next step', async () => {
    const pacer = new ReplayPacer(1000);
    // Before the first step there is no schedule yet.
    expect(pacer.budgetMs(T0 + 50_000)).toBe(0);
    const before = monotonicMs();
    await pacer.waitFor(T0);
    const budget = pacer.budgetMs(T0 + 50_000);
    const after = monotonicMs();
    // The next step is due at wall0 + 50 ms, with wall0 between `before` and the budget's own reading.
    expect(budget).toBeLessThanOrEqual(50);
    expect(budget).toBeGreaterThanOrEqual(50 - (after - before));
    expect(pacer.budgetMs(Number.POSITIVE_INFINITY)).toBe(0);
    busyUntil(before, 5);
    // A step that was due 5 ms ago (or more) has no budget left, not a negative one.
    expect(pacer.budgetMs(T0)).toBe(0);
  });
});

describe('ReplayPacer: lag', () => {
  it('reports no lag before the first step, and how late late steps started', async () => {
    const pacer = new ReplayPacer(1000);
    expect(pacer.lag).toEqual({ avgMs: 0, maxMs: 0 });
    await pacer.waitFor(T0);
    const first = monotonicMs();
    // The step at +5 ms is due no later than first + 5; starting it 25 ms after `first` is at least 20 ms late.
    busyUntil(first, 25);
    await pacer.waitFor(T0 + 5_000);
    expect(pacer.lag.maxMs).toBeGreaterThanOrEqual(20);
    // The average of the two steps' lags: at least half the late one, at most the largest.
    expect(pacer.lag.avgMs).toBeGreaterThanOrEqual(10);
    expect(pacer.lag.avgMs).toBeLessThanOrEqual(pacer.lag.maxMs);
  });

  it('does not wait for a step that is already due', async () => {
    const pacer = new ReplayPacer(1000);
    await pacer.waitFor(T0);
    busyUntil(monotonicMs(), 30);
    // Due 20 ms ago: it returns without a timer, so a 20 ms timer started now fires after it.
    const order: string[] = [];
    const timer = delay(20).promise.then(() => order.push('timer'));
    await pacer.waitFor(T0 + 10_000).then(() => order.push('step'));
    await timer;
    expect(order).toEqual(['step', 'timer']);
  });
});

describe('ReplayPacer: pause and resume', () => {
  it('shifts the schedule by the time spent paused, counting from the first pause', async () => {
    const pacer = new ReplayPacer(1000);
    const s0 = monotonicMs();
    await pacer.waitFor(T0);
    pacer.pause();
    const pausedAt = monotonicMs();
    await delay(20).promise;
    // A second pause does not restart the frozen interval.
    pacer.pause();
    await delay(20).promise;
    const resumedAt = monotonicMs();
    pacer.resume();
    const budget = pacer.budgetMs(T0 + 100_000);
    const c = monotonicMs();
    // Due at wall0 + 100 + (time paused) with wall0 >= s0 and the pause at least resumedAt - pausedAt long.
    expect(budget).toBeGreaterThanOrEqual(100 + (resumedAt - pausedAt) - (c - s0));
    // Unshifted, only 100 - (c - s0) would be left, some 60 ms less.
    expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(40 - SLACK_MS);
  });

  it('lets a resumed replay continue from the same timestamp without counting the pause as lag', async () => {
    const pacer = new ReplayPacer(1000);
    const s0 = monotonicMs();
    await pacer.waitFor(T0);
    const firstLagMs = pacer.lag.maxMs;
    pacer.pause();
    const pausedAt = monotonicMs();
    await delay(40).promise;
    const resumedAt = monotonicMs();
    pacer.resume();
    // Due 10 ms after wall0 plus the pause: the step waits for it rather than running late.
    await pacer.waitFor(T0 + 10_000);
    const end = monotonicMs();
    const pausedMs = resumedAt - pausedAt;
    expect(end - s0).toBeGreaterThanOrEqual(10 + pausedMs - SLACK_MS);
    // Its due time is at least s0 + 10 + pausedMs, so its lag is at most what is left of `end` after that
    // (none when it ran up to 1 ms early); unshifted, it would be about `end - s0 - 10`, some 40 ms more.
    expect(pacer.lag.maxMs).toBeLessThanOrEqual(Math.max(firstLagMs, end - s0 - 10 - pausedMs));
  });

  it('ignores resume without pause', async () => {
    const pacer = new ReplayPacer(1000);
    await pacer.waitFor(T0);
    const e = monotonicMs();
    await delay(10).promise;
    pacer.resume();
    const f = monotonicMs();
    const budget = pacer.budgetMs(T0 + 100_000);
    // wall0 <= e, so at most 100 - (f - e) is left: the schedule did not move.
    expect(budget).toBeLessThanOrEqual(100 - (f - e));
  });
});
