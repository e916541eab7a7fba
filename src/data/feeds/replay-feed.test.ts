// The replay feed and its player: the bars a backtest loads, at a pace counted on a hand-moved timer,
// resumed after a last bar held, ended completed or stopped.
import { describe, expect, it } from 'vitest';
import { ManualTimer } from '../../core/manual-timer.fixture.ts';
import { loadSessionData } from '../../engine/session-builder.ts';
import type { FeedBar, FeedEnd, FeedSubscription } from './bar-feed.ts';
import { BarPlayer } from './bar-player.ts';
import { loadReplayBars } from './replay-bars.ts';
import { ReplayFeed } from './replay-feed.ts';
import { closeAt, LIVE_START, replaySession } from './replay.fixture.ts';

const subs = (sinceMs?: number): FeedSubscription[] =>
  ['A', 'B'].map((symbol) => ({ symbol, interval: '1m', ...(sinceMs === undefined ? {} : { sinceMs }) }));

/** Starts a replay feed on a manual timer; returns what it delivered so far, as `A@m` strings. */
function play(o: { speed: number; subscriptions?: FeedSubscription[] }) {
  const timer = new ManualTimer();
  const feed = new ReplayFeed({ replay: loadReplayBars(replaySession()), speed: o.speed, timer });
  const bars: FeedBar[] = [];
  const ends: FeedEnd[] = [];
  feed.start(o.subscriptions ?? subs(), {
    onBar: (b) => bars.push(b),
    onEnd: (e) => ends.push(e),
    onReject: () => {},
    onConnection: () => {},
  });
  const seen = () => bars.map((b) => `${b.symbol}@${(b.tsClose - closeAt(0)) / 60_000}`);
  return { feed, timer, bars, ends, seen };
}

describe('loadReplayBars', () => {
  it("returns the bars a backtest loads from live.start on, of each series' interval, merged in time order", () => {
    const session = replaySession();
    const replay = loadReplayBars(session);
    const loaded = loadSessionData(session);
    const expected = loaded.sources
      .flatMap((s) =>
        Array.from({ length: s.series.written }, (_, i) => ({
          symbol: s.symbol,
          interval: s.series.interval,
          tsClose: s.series.timeAt(i),
          open: s.series.openAt(i),
          high: s.series.highAt(i),
          low: s.series.lowAt(i),
          close: s.series.closeAt(i),
          volume: s.series.volumeAt(i),
        })),
      )
      .filter((b) => b.tsClose >= LIVE_START)
      .sort((a, b) => a.tsClose - b.tsClose);
    expect(replay.bars).toEqual(expected);
    expect(replay.bars.map((b) => `${b.symbol}${(b.tsClose - closeAt(0)) / 60_000}`)).toEqual(
      ['A4', 'B4', 'A5', 'B5', 'A6', 'A7', 'B7', 'A8', 'B8', 'A9', 'B9'],
    );
    expect(replay.streams).toEqual([
      { symbol: 'A', interval: '1m', bars: 6 },
      { symbol: 'B', interval: '1m', bars: 5 },
    ]);
  });

  it('names live.start when it is not set or no bar closes at or after it', () => {
    expect(() => loadReplayBars(replaySession({}))).toThrow(/live\.start is not set; a replay plays the bars from live\.start on/);
    expect(() => loadReplayBars(replaySession({ start: '2024-01-03T00:00:00Z' }))).toThrow(
      /live\.start \(2024-01-03T00:00:00Z\) is after the last bar of every data source/,
    );
  });
});

describe('BarPlayer', () => {
  it('hands out the first bar at once and each later one when its bar time has passed at the speed', () => {
    const timer = new ManualTimer();
    const batches: number[][] = [];
    let ended = 0;
    const bars = [0, 1, 2, 5].map((m) => ({ ...({} as FeedBar), tsClose: closeAt(m) }));
    const player = new BarPlayer({
      bars,
      speed: 60, // one minute of bar time per second
      timer,
      onBars: (due) => batches.push(due.map((b) => (b.tsClose - closeAt(0)) / 60_000)),
      onEnd: () => ended++,
    });
    player.start();
    expect(batches).toEqual([]);
    timer.advance(0);
    expect(batches).toEqual([[0]]);
    timer.advance(999);
    expect(batches).toEqual([[0]]);
    timer.advance(1);
    expect(batches).toEqual([[0], [1]]);
    // Late by two seconds: what fell due meanwhile comes at once, and the pace stays tied to the start.
    timer.advance(3500);
    expect(batches).toEqual([[0], [1], [2]]);
    expect(ended).toBe(0);
    timer.advance(500);
    expect([batches, ended, player.ended, timer.pending]).toEqual([[[0], [1], [2], [5]], 1, true, 0]);
  });
});

describe('ReplayFeed', () => {
  it('plays the subscribed streams at the pace and ends completed after the last bar', () => {
    const r = play({ speed: 60 });
    r.timer.advance(0);
    expect(r.seen()).toEqual(['A@4', 'B@4']);
    r.timer.advance(1000);
    expect(r.seen()).toEqual(['A@4', 'B@4', 'A@5', 'B@5']);
    r.timer.advance(1000);
    expect(r.seen()).toEqual(['A@4', 'B@4', 'A@5', 'B@5', 'A@6']);
    expect(r.ends).toEqual([]);
    r.timer.advance(3000);
    expect(r.seen()).toEqual(['A@4', 'B@4', 'A@5', 'B@5', 'A@6', 'A@7', 'B@7', 'A@8', 'B@8', 'A@9', 'B@9']);
    expect(r.ends).toEqual([
      { outcome: 'completed', reason: 'replay of replay-test.json ended after its last bar (11 bars from 2024-01-02T00:05:00.000Z)' },
    ]);
    r.feed.stop();
    expect(r.ends).toHaveLength(1);
  });

  it('skips the bars up to each stream sinceMs without waiting for them (a resumed run)', () => {
    const r = play({ speed: 60, subscriptions: [{ symbol: 'A', interval: '1m', sinceMs: closeAt(7) }, { symbol: 'B', interval: '1m', sinceMs: closeAt(8) }] });
    r.timer.advance(0);
    expect(r.seen()).toEqual(['A@8']);
    r.timer.advance(1000);
    expect(r.seen()).toEqual(['A@8', 'A@9', 'B@9']);
    expect(r.ends.map((e) => e.outcome)).toEqual(['completed']);
  });

  it('sends only subscribed streams, backfills a stream added later, and ends stopped on stop()', () => {
    const r = play({ speed: 60, subscriptions: [{ symbol: 'A', interval: '1m' }] });
    r.timer.advance(1000);
    expect(r.seen()).toEqual(['A@4', 'A@5']);
    r.feed.subscribe({ symbol: 'B', interval: '1m', sinceMs: closeAt(4) });
    expect(r.seen()).toEqual(['A@4', 'A@5', 'B@5']);
    r.feed.unsubscribe('A', '1m');
    r.timer.advance(2000);
    expect(r.seen()).toEqual(['A@4', 'A@5', 'B@5', 'B@7']);
    r.feed.stop();
    r.timer.advance(10_000);
    expect(r.seen()).toEqual(['A@4', 'A@5', 'B@5', 'B@7']);
    expect(r.ends).toEqual([{ outcome: 'stopped', reason: 'replay of replay-test.json stopped' }]);
  });
});
