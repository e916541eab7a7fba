// The live bar feed port: the bars a feed delivers and the handlers it calls as they arrive.

/** A bar as a live feed delivers it: stamped with its close time (epoch ms UTC). */
export interface FeedBar {
  readonly symbol: string;
  readonly tsClose: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** What a feed calls as bars arrive. */
export interface FeedHandlers {
  onBar(bar: FeedBar): void;
  /** The feed ended (closed by the other side or stopped). */
  onEnd(reason: string): void;
  /** A message could not be used; the feed goes on. */
  onBadMessage(problem: string): void;
}

/** The live feed port: a WebSocket adapter implements it, and so can a broker's market-data stream. */
export interface BarFeed {
  /** Names the feed in messages (e.g. its URL). */
  readonly name: string;
  start(handlers: FeedHandlers): void;
  stop(): void;
}
