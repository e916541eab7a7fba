// Builds a session's live bar feed from `--feed` (or the API's `feed`): here only a JSON WebSocket feed
// at a ws:// or wss:// URL.
import type { LoadedSession } from '../../config/session-config.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { BarFeed } from './bar-feed.ts';
import { WebSocketFeed } from './websocket-feed.ts';

/** Returns the feed a live session runs on: a JSON WebSocket feed at `o.feed` (ws:// or wss://). */
export function createFeed(session: LoadedSession, o: { feed?: string; speed?: number }): BarFeed {
  const url =
    o.feed ?? (session.config.live?.feed.type === 'websocket' ? session.config.live.feed.url : undefined);
  if (url === undefined || !/^wss?:\/\/\S+$/.test(url)) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `feed: ${url === undefined ? 'none given' : `"${url}" is not a WebSocket URL`}; use ws://host:port/path`,
    );
  }
  return new WebSocketFeed(url);
}
