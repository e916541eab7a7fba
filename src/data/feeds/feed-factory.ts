// Chooses and builds a session's live feed: from `--feed` (binance, replay, a ws:// URL) or the session
// config's `live.feed`, with `--speed` for a replay.
import { relative } from 'node:path';
import { type FeedConfig, LiveSchema, type LoadedSession } from '../../config/session-config.ts';
import type { Timer } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { BarFeed } from './bar-feed.ts';
import { BinanceFeed } from './binance-feed.ts';
import { loadReplayBars } from './replay-bars.ts';
import { ReplayFeed } from './replay-feed.ts';
import { WebSocketFeed } from './websocket-feed.ts';

/** What the command line says about the feed; absent fields come from the session config. */
export interface FeedChoice {
  /** `--feed`: `binance`, `replay`, or a `ws://` / `wss://` URL. */
  readonly feed?: string | undefined;
  /** `--speed`: a replay's pace (bar time passes `speed` x wall time). */
  readonly speed?: number | undefined;
  /** Paces a replay (default: wall time). */
  readonly timer?: Timer;
  readonly log?: Logger;
}

const WS_URL = /^wss?:\/\/\S+$/;

/** Names a session's config file in messages. */
function fileOf(session: LoadedSession): string {
  return relative(process.cwd(), session.file) || session.file;
}

/**
 * Returns the feed a session runs on: `--feed` when given (`binance` and `replay` take the rest of their
 * settings from `live.feed` when it is of that type), else `live.feed`; `--speed` sets a replay's pace.
 * Fails with TF_ERR_CONFIG_INVALID naming `--feed`, `--speed` or `live.feed` when they are wrong or absent.
 */
export function resolveFeedConfig(session: LoadedSession, o: Pick<FeedChoice, 'feed' | 'speed'>): FeedConfig {
  const configured = session.config.live?.feed;
  let feed: FeedConfig;
  if (o.feed === undefined) {
    if (configured === undefined) {
      throw new TradeflowError(
        'TF_ERR_CONFIG_INVALID',
        `no live feed: pass --feed binance|replay|ws://host:port, or set "live": { "feed": { "type": ... } } in ${fileOf(session)}`,
      );
    }
    feed = configured;
  } else if (o.feed === 'binance') {
    feed = configured?.type === 'binance' ? configured : { type: 'binance', ...binanceDefaults() };
  } else if (o.feed === 'replay') {
    feed = configured?.type === 'replay' ? configured : { type: 'replay', speed: 60 };
  } else if (WS_URL.test(o.feed) && URL.canParse(o.feed)) {
    feed = { type: 'websocket', url: o.feed };
  } else {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `--feed: "${o.feed}" is not a feed; use binance, replay, or a WebSocket URL such as ws://127.0.0.1:8765`,
    );
  }
  if (o.speed === undefined) return feed;
  if (!Number.isFinite(o.speed) || o.speed <= 0) {
    throw new TradeflowError('TF_ERR_CONFIG_INVALID', `--speed: ${o.speed} is not a positive number; use e.g. --speed 60`);
  }
  if (feed.type !== 'replay') {
    const from = o.feed === undefined ? `live.feed of ${fileOf(session)}` : '--feed';
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `--speed: paces the replay feed only, and the feed is ${feed.type} (${from}); drop --speed or use --feed replay`,
    );
  }
  return { ...feed, speed: o.speed };
}

function binanceDefaults(): { ws_url: string; rest_url: string } {
  const feed = LiveSchema.parse({ feed: { type: 'binance' } }).feed;
  if (feed.type !== 'binance') throw new TradeflowError('TF_ERR_INTERNAL', 'binance defaults are not binance');
  return { ws_url: feed.ws_url, rest_url: feed.rest_url };
}

/** Builds the feed of a session (see resolveFeedConfig); a replay's bars are loaded here. */
export function createFeed(session: LoadedSession, o: FeedChoice = {}): BarFeed {
  const feed = resolveFeedConfig(session, o);
  const live = session.config.live ?? LiveSchema.parse({});
  switch (feed.type) {
    case 'websocket':
      return new WebSocketFeed({ url: feed.url, reconnect: live.reconnect, heartbeatMs: live.heartbeat_ms });
    case 'replay':
      return new ReplayFeed({
        replay: loadReplayBars(session, o.log),
        speed: feed.speed,
        ...(o.timer ? { timer: o.timer } : {}),
      });
    case 'binance':
      return new BinanceFeed({
        wsUrl: feed.ws_url,
        restUrl: feed.rest_url,
        reconnect: live.reconnect,
        heartbeatMs: live.heartbeat_ms,
      });
  }
}
