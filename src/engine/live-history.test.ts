// A live run's history ends at live.start: the bars from there on come from the feed, not the files.
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import { ReplayFeed } from '../data/feeds/replay-feed.ts';
import { loadReplayBars } from '../data/feeds/replay-bars.ts';
import { closeAt, replaySession } from '../data/feeds/replay.fixture.ts';
import { Engine } from './kernel.ts';

const timesOf = (engine: Engine) =>
  engine.loaded.sources.map((s) => Array.from({ length: s.series.written }, (_, i) => s.series.timeAt(i)));

describe('a live run with live.start', () => {
  it('loads only the bars before live.start as history; a backtest loads them all', async () => {
    const session = replaySession();
    const live = await Engine.create({ session, runId: 'live', syncMode: 'live' });
    const backtest = await Engine.create({ session, runId: 'bt' });
    await Promise.all([live.stop(), backtest.stop()]);
    expect(timesOf(live)).toEqual([[0, 1, 2, 3].map(closeAt), [0, 1, 2, 3].map(closeAt)]);
    expect(timesOf(backtest).map((t) => t.length)).toEqual([10, 9]);
  });

  it('steps every played bar of a replay feed once, none refused, and trades on the first one', async () => {
    const session = replaySession();
    const log = new MemoryLogger();
    const engine = await Engine.create({ session, runId: 'live', syncMode: 'live', logger: log });
    try {
      await engine.runLive(new ReplayFeed({ replay: loadReplayBars(session), speed: 1e9 }));
    } finally {
      await engine.stop();
    }
    expect(engine.liveRejected).toBe(0);
    expect(timesOf(engine)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(closeAt),
      [0, 1, 2, 3, 4, 5, 7, 8, 9].map(closeAt),
    ]);
    // buy_and_hold buys on its first stepped bar (minute 4) and fills at the next bar's open (minute 5).
    expect(engine.recorder.orders.map((o) => [o.symbol, o.side, o.status, o.tsCreated])).toEqual([
      ['A', 'buy', 'filled', closeAt(4)],
    ]);
  });

  it('starts with no history when live.start comes before every bar, and plays them all', async () => {
    const session = replaySession({ start: '2024-01-01T00:00:00Z' });
    const engine = await Engine.create({ session, runId: 'live', syncMode: 'live' });
    expect(timesOf(engine)).toEqual([[], []]);
    try {
      await engine.runLive(new ReplayFeed({ replay: loadReplayBars(session), speed: 1e9 }));
    } finally {
      await engine.stop();
    }
    expect([engine.liveRejected, timesOf(engine).map((t) => t.length)]).toEqual([0, [10, 9]]);
    expect(engine.recorder.orders.map((o) => o.tsCreated)).toEqual([closeAt(0)]);
  });
});
