// The live bar feed port: what a feed adapter (Binance, a JSON WebSocket, a replay of files) offers the
// engine, and the handlers it calls as bars and connection events arrive.
import type { Interval } from '../../model/interval.ts';

/** A bar as a live feed delivers it: stamped with its close time (epoch ms UTC). */
export interface FeedBar {
  readonly symbol: string;
  /** The bar's interval; the engine's live series are of the session's base interval. */
  readonly interval: Interval;
  readonly tsClose: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One (symbol, interval) stream a run wants, and the last bar it already has. */
export interface FeedSubscription {
  readonly symbol: string;
  readonly interval: Interval;
  /**
   * The close time of the last bar the run holds for this stream: the feed delivers only later bars, and
   * first backfills those missed since (a resumed run, a reconnect). Undefined: from the next live bar.
   */
  readonly sinceMs?: number;
}

/**
 * Why a message or bar was not used. `malformed`: not a bar (bad JSON, a missing or wrong field);
 * `duplicate`: a bar at a time already delivered; `out-of-order`: a bar older than one already delivered;
 * `unknown-stream`: a bar of a (symbol, interval) nobody subscribed to.
 */
export type RejectKind = 'malformed' | 'duplicate' | 'out-of-order' | 'unknown-stream';

/** A change of a feed's connection, for logs, the terminal view and metrics. */
export type ConnectionEvent =
  | { readonly kind: 'connected'; readonly url: string }
  | {
      readonly kind: 'disconnected';
      readonly url: string;
      readonly reason: string;
      /** Which retry comes next (1 for the first), and after how long. */
      readonly attempt: number;
      readonly retryInMs: number;
    }
  | { readonly kind: 'backfilled'; readonly symbol: string; readonly interval: Interval; readonly bars: number };

/**
 * How a feed ended: `completed` when its source ran out (a replay, a server that sent its `{"end": ...}`
 * message), `failed` when it gave up, `stopped` when stopped.
 */
export interface FeedEnd {
  readonly outcome: 'completed' | 'failed' | 'stopped';
  readonly reason: string;
}

/** What a feed calls as bars arrive. A feed calls them only between `start` and the end it reports. */
export interface FeedHandlers {
  /** A closed bar, in time order per stream, never twice. */
  onBar(bar: FeedBar): void;
  /** A message or bar that could not be used; the feed goes on. */
  onReject(kind: RejectKind, problem: string): void;
  /** The connection changed (connected, lost with the retry planned, a gap backfilled). */
  onConnection(event: ConnectionEvent): void;
  /** The feed ended; it calls no handler after this. */
  onEnd(end: FeedEnd): void;
}

/**
 * The live feed port. A feed retries a lost connection by its reconnect policy and backfills what it
 * missed, so that each stream's bars reach the handlers with no gap and no duplicate; when the policy is
 * spent it ends `failed`. A feed that cannot connect at all within its policy also ends `failed`, with a
 * reason naming its URL.
 */
export interface BarFeed {
  /** Names the feed in messages (its URL, or `replay of <session>`). */
  readonly name: string;
  /**
   * The last `count` closed bars of a stream before now, oldest first: warm-up history for a stream whose
   * data file is absent or older. A feed with no history resolves []. Rejects with a TF_ERR_FEED_* error
   * (an unknown symbol, an unreachable server).
   */
  history(symbol: string, interval: Interval, count: number): Promise<FeedBar[]>;
  /** Connects and starts delivering the subscribed streams' bars. */
  start(subscriptions: readonly FeedSubscription[], handlers: FeedHandlers): void;
  /** Adds a stream while running (a symbol joining); bars after `sinceMs` are backfilled first. */
  subscribe(subscription: FeedSubscription): void;
  /** Stops a stream while running. */
  unsubscribe(symbol: string, interval: Interval): void;
  /** Closes the connection; `onEnd` is called with outcome `stopped` unless the feed had ended. */
  stop(): void;
}
