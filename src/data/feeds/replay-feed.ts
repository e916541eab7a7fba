// The replay feed: a session's data files from `live.start` on, played in process as live bars at a
// wall-clock pace, for demos and tests of the live path without a server.
import type { Timer } from '../../core/clock.ts';
import type { Interval } from '../../model/interval.ts';
import type { BarFeed, FeedBar, FeedHandlers, FeedSubscription } from './bar-feed.ts';
import { BarPlayer } from './bar-player.ts';
import type { ReplayBars } from './replay-bars.ts';
import { StreamBook } from './stream-book.ts';

/** What a replay feed plays and how fast. */
export interface ReplayFeedOptions {
  /** The bars to play (`loadReplayBars`). */
  readonly replay: ReplayBars;
  /** Bar time passes `speed` times as fast as wall time. */
  readonly speed: number;
  /** The timer that paces it (default: wall time); tests pass one they move by hand. */
  readonly timer?: Timer;
}

/**
 * Plays a replay's bars as a live feed: the first bar at once, each later one when its share of bar time
 * has passed at `speed`. Each subscription's `sinceMs` is honoured (its bars up to it are skipped, and the
 * play starts after the earliest `sinceMs`, so a resumed run goes on where it stopped without waiting);
 * ends `completed` after the last bar, `stopped` on `stop()`.
 */
export class ReplayFeed implements BarFeed {
  readonly name: string;
  readonly #o: ReplayFeedOptions;
  #book = new StreamBook();
  #player: BarPlayer | undefined;
  #handlers: FeedHandlers | undefined;
  #ended = false;

  constructor(o: ReplayFeedOptions) {
    this.#o = o;
    this.name = o.replay.name;
  }

  /** The data files are the history: a replay has none of its own. */
  history(): Promise<FeedBar[]> {
    return Promise.resolve([]);
  }

  start(subscriptions: readonly FeedSubscription[], h: FeedHandlers): void {
    if (this.#player) return;
    this.#handlers = h;
    this.#book = new StreamBook(subscriptions);
    const { bars } = this.#o.replay;
    // Bars up to the earliest stream's last bar held are not waited for; the book drops the rest held.
    const since = Math.min(...subscriptions.map((s) => s.sinceMs ?? Number.NEGATIVE_INFINITY));
    const from = bars.findIndex((b) => b.tsClose > since);
    this.#player = new BarPlayer({
      bars,
      speed: this.#o.speed,
      ...(this.#o.timer ? { timer: this.#o.timer } : {}),
      onBars: (due) => {
        for (const bar of due) this.#deliver(bar);
      },
      onEnd: () =>
        this.#end({
          outcome: 'completed',
          reason: `${this.name} ended after its last bar (${this.#o.replay.bars.length} bars from ${new Date(this.#o.replay.startMs).toISOString()})`,
        }),
    });
    this.#player.start(from < 0 ? bars.length : from);
  }

  subscribe(subscription: FeedSubscription): void {
    this.#book.add(subscription);
    // The bars of the new stream played already are backfilled at once.
    const played = this.#o.replay.bars.slice(0, this.#player?.played ?? 0);
    for (const bar of played) {
      if (bar.symbol === subscription.symbol && bar.interval === subscription.interval) this.#deliver(bar);
    }
  }

  unsubscribe(symbol: string, interval: Interval): void {
    this.#book.remove(symbol, interval);
  }

  stop(): void {
    this.#player?.stop();
    this.#end({ outcome: 'stopped', reason: `${this.name} stopped` });
  }

  #deliver(bar: FeedBar): void {
    if (this.#ended || !this.#book.has(bar.symbol, bar.interval)) return;
    // The book skips the bars a stream holds already (up to its sinceMs).
    if (this.#book.take(bar) === undefined) this.#handlers?.onBar(bar);
  }

  #end(end: { outcome: 'completed' | 'stopped'; reason: string }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#handlers?.onEnd(end);
  }
}
