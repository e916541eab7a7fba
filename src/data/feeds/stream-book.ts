// The streams a feed delivers and the last bar it delivered on each: what keeps a feed's output free of
// duplicates and of bars out of order, and what it asks a server to backfill from after a reconnect.
import type { Interval } from '../../model/interval.ts';
import { barProblem } from '../loaders/validate.ts';
import type { FeedBar, FeedSubscription, RejectKind } from './bar-feed.ts';

/** Says what is wrong with a bar's prices and volume (the loaders' rules), or undefined. */
export function feedBarProblem(bar: FeedBar): string | undefined {
  const problem = barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  return problem === undefined
    ? undefined
    : `${problem.replace(/-/g, ' ')} (open ${bar.open}, high ${bar.high}, low ${bar.low}, close ${bar.close}, volume ${bar.volume})`;
}

/** Says why a bar was rejected, naming it. */
export function describeReject(kind: RejectKind, bar: FeedBar): string {
  const what = `bar ${bar.symbol} ${bar.interval} at ${Number.isFinite(bar.tsClose) && Math.abs(bar.tsClose) <= 8.64e15 ? new Date(bar.tsClose).toISOString() : String(bar.tsClose)}`;
  switch (kind) {
    case 'duplicate':
      return `${what} was delivered already`;
    case 'out-of-order':
      return `${what} is older than a bar delivered already`;
    case 'unknown-stream':
      return `${what} is of a stream not subscribed to`;
    case 'malformed':
      return `${what} is malformed`;
  }
}

const keyOf = (symbol: string, interval: Interval): string => `${symbol}|${interval}`;

/** The subscribed streams of a feed, each with the close time of the last bar delivered (or held before). */
export class StreamBook {
  readonly #last = new Map<string, { readonly symbol: string; readonly interval: Interval; sinceMs: number }>();

  constructor(subscriptions: readonly FeedSubscription[] = []) {
    for (const s of subscriptions) this.add(s);
  }

  /** Adds a stream (or moves its last bar held to `sinceMs` when that is later). */
  add(s: FeedSubscription): void {
    const key = keyOf(s.symbol, s.interval);
    const since = s.sinceMs ?? Number.NEGATIVE_INFINITY;
    const held = this.#last.get(key);
    if (held === undefined) this.#last.set(key, { symbol: s.symbol, interval: s.interval, sinceMs: since });
    else if (since > held.sinceMs) held.sinceMs = since;
  }

  /** Removes a stream; its later bars are rejected as `unknown-stream`. */
  remove(symbol: string, interval: Interval): void {
    this.#last.delete(keyOf(symbol, interval));
  }

  /** Returns true when the stream is subscribed. */
  has(symbol: string, interval: Interval): boolean {
    return this.#last.has(keyOf(symbol, interval));
  }

  /**
   * Takes a bar: returns undefined and records it as the stream's last when it comes after that one, or
   * the kind of reject (unknown stream, the same time again, an older time) and leaves the book as it was.
   */
  take(bar: FeedBar): RejectKind | undefined {
    const held = this.#last.get(keyOf(bar.symbol, bar.interval));
    if (held === undefined) return 'unknown-stream';
    if (bar.tsClose === held.sinceMs) return 'duplicate';
    if (bar.tsClose < held.sinceMs) return 'out-of-order';
    held.sinceMs = bar.tsClose;
    return undefined;
  }

  /** Returns every stream with the last bar delivered on it (what to resubscribe with after a reconnect). */
  subscriptions(): FeedSubscription[] {
    return [...this.#last.values()].map((s) =>
      s.sinceMs === Number.NEGATIVE_INFINITY
        ? { symbol: s.symbol, interval: s.interval }
        : { symbol: s.symbol, interval: s.interval, sinceMs: s.sinceMs },
    );
  }
}
