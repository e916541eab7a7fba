// What a live feed tells the run besides its bars: messages and bars turned away (counted per kind, the
// first few logged), connection changes (logged and counted) and how the feed ended.
import type { Logger } from '../core/logger.ts';
import type { ConnectionEvent, FeedEnd, RejectKind } from '../data/feeds/bar-feed.ts';

/**
 * Why a live message or bar was not used: the feed's own kinds, and `refused`, a bar the feed passed that
 * the engine turned away (it breaks the bar files' rules, is not after its series' last bar, or is of a
 * symbol the session does not hold).
 */
export type LiveRejectKind = RejectKind | 'refused';

/** Every reject kind, in the order metrics and results list them. */
export const LIVE_REJECT_KINDS: readonly LiveRejectKind[] = [
  'malformed',
  'duplicate',
  'out-of-order',
  'unknown-stream',
  'refused',
];

/** How many of each kind are logged; the rest are counted only, so a flood of bad messages cannot flood the log. */
export const LOGGED_PER_KIND = 5;

/** The feed's figures for metrics and the result. */
export interface FeedFigures {
  /** Messages and bars turned away, per kind. */
  readonly rejected: Readonly<Record<LiveRejectKind, number>>;
  /** Connections made after the first (each one after a connection was lost). */
  readonly reconnects: number;
  /** How the feed ended, once it has (undefined while it runs, and in a run without a feed). */
  readonly end: FeedEnd | undefined;
}

/** Counts and logs what a live feed reports besides bars; one per live run. */
export class FeedWatch {
  readonly #log: Logger;
  readonly #feed: string;
  readonly #rejected: Record<LiveRejectKind, number> = {
    malformed: 0,
    duplicate: 0,
    'out-of-order': 0,
    'unknown-stream': 0,
    refused: 0,
  };
  #connections = 0;
  #end: FeedEnd | undefined;

  constructor(log: Logger, feedName: string) {
    this.#log = log;
    this.#feed = feedName;
  }

  /** Counts a message or bar turned away; logs the first few of its kind, then says the rest are only counted. */
  rejected(kind: LiveRejectKind, problem: string): void {
    const n = ++this.#rejected[kind];
    if (n <= LOGGED_PER_KIND) this.#log.warn(`feed ${this.#feed}: ${problem}; ignored`);
    if (n === LOGGED_PER_KIND) {
      this.#log.warn(
        `feed ${this.#feed}: further ${kind} messages are counted, not logged (see the run's metrics)`,
      );
    }
  }

  /** Logs a connection change (a loss as a warning with the retry planned) and counts reconnects. */
  connection(e: ConnectionEvent): void {
    switch (e.kind) {
      case 'connected':
        this.#connections++;
        this.#log.info(`feed ${this.#feed}: connected to ${e.url}`);
        return;
      case 'disconnected':
        this.#log.warn(
          `feed ${this.#feed}: connection to ${e.url} lost (${e.reason}); retry ${e.attempt} in ${Math.round(e.retryInMs)} ms`,
        );
        return;
      case 'backfilled':
        this.#log.info(`feed ${this.#feed}: backfilled ${e.bars} bar(s) of ${e.symbol} ${e.interval}`);
        return;
    }
  }

  /** Keeps the first end reported (the feed's own, or the run's stop). */
  ended(end: FeedEnd): void {
    this.#end ??= end;
  }

  /** Returns the figures so far. */
  get figures(): FeedFigures {
    return {
      rejected: { ...this.#rejected },
      reconnects: Math.max(0, this.#connections - 1),
      end: this.#end,
    };
  }
}

/** The figures of a run without a live feed. */
export const NO_FEED: FeedFigures = {
  rejected: { malformed: 0, duplicate: 0, 'out-of-order': 0, 'unknown-stream': 0, refused: 0 },
  reconnects: 0,
  end: undefined,
};
