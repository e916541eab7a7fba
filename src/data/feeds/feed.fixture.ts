// A feed for tests, made from a start function: no history, streams fixed at start.
import type { BarFeed, FeedHandlers, FeedSubscription } from './bar-feed.ts';

/** Returns a feed that calls `start` with the handlers and `stop` when stopped. */
export function scriptedFeed(
  name: string,
  start: (h: FeedHandlers, subscriptions: readonly FeedSubscription[]) => void,
  stop: () => void = () => {},
): BarFeed {
  return {
    name,
    history: () => Promise.resolve([]),
    start: (subscriptions, h) => start(h, subscriptions),
    subscribe: () => {},
    unsubscribe: () => {},
    stop,
  };
}
