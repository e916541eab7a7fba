// Scheduled strategies live: ticks follow the wall clock between feed bars (a test wall, moved by the feed's
// script), each a step of its own; a tick at a bar's time runs in that bar's step.
import { describe, expect, it } from 'vitest';
import { liveBars, pacedFeed } from '../../test/live-sessions.ts';
import { paceSession, T0 } from '../../test/pace-sessions.ts';
import { TestClock } from '../core/clock.ts';
import { MemoryLogger } from '../core/logger.ts';
import { ManualTimer } from '../core/manual-timer.fixture.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { TickWall } from './live-ticks.ts';

const SEC = 1000;

/** A wall that moves only when the script moves it: its clock and its timer together. */
function testWall(startMs: number): TickWall & { advance(ms: number): void } {
  const clock = new TestClock(startMs);
  const timer = new ManualTimer();
  return {
    clock,
    timer,
    advance(ms) {
      clock.advance(ms);
      timer.advance(ms);
    },
  };
}

async function runTicking(isolation: 'inline' | 'thread') {
  const base = paceSession({
    bars: 3,
    strategies: [
      { name: 'tick_probe', module: 'tick_probe', isolation, config: { buy_on: [1], quantity: 2 } },
    ],
  });
  const strategies = base.config.strategies.map((s) => ({ ...s, tick_interval: 30 * SEC }));
  const session = { ...base, config: { ...base.config, strategies } };
  // History closes at 00:01 .. 00:03; the wall starts at 00:03:10.
  const wall = testWall(T0 + 3 * 60 * SEC + 10 * SEC);
  const [bar4, bar5] = liveBars(2, 3);
  const feed = pacedFeed(
    [
      () => wall.advance(20 * SEC), // 00:03:30: a tick between bars
      bar4!, // closes 00:04:00, the next tick time: the tick runs in its step
      () => wall.advance(60 * SEC), // 00:04:30: a tick
      bar5!, // closes 00:05:00
    ],
    50,
  );
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({
    session,
    runId: 'live-ticks',
    startedAt: 0,
    logger: log,
    feed,
    tickWall: wall,
  });
  return { ...outcome, seen: log.records.filter((r) => r.msg === 'seen').map((r) => r.fields?.['line']) };
}

const SEEN = [
  'tick 00:03:30 X@1m=103.5@00:03:00',
  'tick 00:04:00 X@1m=110.5@00:04:00',
  'bars X 00:04:00',
  'tick 00:04:30 X@1m=110.5@00:04:00',
  'tick 00:05:00 X@1m=106.5@00:05:00',
  'bars X 00:05:00',
];

describe('scheduled strategies in a live run', () => {
  it('ticks on the wall clock between bars, and in a bar’s step at its time; orders fill on the next bar', async () => {
    const { seen, engine, result } = await runTicking('inline');
    expect(seen).toEqual(SEEN);
    // Tick 1 (00:03:30) bought 2: filled at the open of the bar closing 00:04 (110).
    expect(engine.recorder.fills.map((f) => [f.ts - T0, f.price, f.quantity])).toEqual([
      [4 * 60 * SEC, 110, 2],
    ]);
    expect(result.status).toBe('completed');
  });

  it('gives a strategy thread the same ticks and fills', async () => {
    const inline = await runTicking('inline');
    const thread = await runTicking('thread');
    expect(thread.seen).toEqual(SEEN);
    expect(thread.engine.recorder.fills).toEqual(inline.engine.recorder.fills);
  });
});
