// Choosing a session's feed: --feed over live.feed, --speed for a replay, and errors that name the option.
import { describe, expect, it } from 'vitest';
import { LIVE_START, replaySession } from './replay.fixture.ts';
import { createFeed, resolveFeedConfig } from './feed-factory.ts';
import { ReplayFeed } from './replay-feed.ts';
import { WebSocketFeed } from './websocket-feed.ts';

const start = new Date(LIVE_START).toISOString();
const withFeed = (feed: unknown) => replaySession({ start, feed });
const noLive = () => {
  const s = replaySession();
  return { ...s, config: { ...s.config, live: undefined } };
};

describe('resolveFeedConfig', () => {
  it("takes live.feed when --feed is absent, and --feed's type over it", () => {
    const ws = withFeed({ type: 'websocket', url: 'ws://127.0.0.1:8765' });
    expect(resolveFeedConfig(ws, {})).toEqual({ type: 'websocket', url: 'ws://127.0.0.1:8765' });
    expect(resolveFeedConfig(ws, { feed: 'wss://feed.example/bars' })).toEqual({
      type: 'websocket',
      url: 'wss://feed.example/bars',
    });
    expect(resolveFeedConfig(ws, { feed: 'replay' })).toEqual({ type: 'replay', speed: 60 });
    expect(resolveFeedConfig(ws, { feed: 'binance' })).toEqual({
      type: 'binance',
      ws_url: 'wss://stream.binance.com:9443',
      rest_url: 'https://api.binance.com',
    });
  });

  it("keeps the config's settings of the same type, and --speed sets a replay's pace", () => {
    const replay = withFeed({ type: 'replay', speed: 600 });
    expect(resolveFeedConfig(replay, {})).toEqual({ type: 'replay', speed: 600 });
    expect(resolveFeedConfig(replay, { feed: 'replay', speed: 5 })).toEqual({ type: 'replay', speed: 5 });
    expect(resolveFeedConfig(replay, { speed: 1e9 })).toEqual({ type: 'replay', speed: 1e9 });
    const binance = withFeed({ type: 'binance', ws_url: 'ws://127.0.0.1:9', rest_url: 'http://127.0.0.1:9' });
    expect(resolveFeedConfig(binance, { feed: 'binance' })).toEqual({
      type: 'binance',
      ws_url: 'ws://127.0.0.1:9',
      rest_url: 'http://127.0.0.1:9',
    });
  });

  it('names --feed, --speed or live.feed when they are wrong or missing', () => {
    const ws = withFeed({ type: 'websocket', url: 'ws://127.0.0.1:8765' });
    expect(() => resolveFeedConfig(ws, { feed: 'http://127.0.0.1:8765' })).toThrow(
      '--feed: "http://127.0.0.1:8765" is not a feed; use binance, replay, or a WebSocket URL such as ws://127.0.0.1:8765',
    );
    expect(() => resolveFeedConfig(ws, { feed: 'ws://' })).toThrow(/--feed: "ws:\/\/" is not a feed/);
    expect(() => resolveFeedConfig(ws, { speed: 10 })).toThrow(
      '--speed: paces the replay feed only, and the feed is websocket (live.feed of replay-test.json); drop --speed or use --feed replay',
    );
    expect(() => resolveFeedConfig(ws, { feed: 'replay', speed: 0 })).toThrow('--speed: 0 is not a positive number');
    expect(() => resolveFeedConfig(noLive(), {})).toThrow(
      'no live feed: pass --feed binance|replay|ws://host:port, or set "live": { "feed": { "type": ... } } in replay-test.json',
    );
  });
});

describe('createFeed', () => {
  it('builds a WebSocket feed named by its URL, and a replay of the session named by its file', () => {
    const ws = createFeed(withFeed({ type: 'websocket', url: 'ws://127.0.0.1:8765' }));
    expect([ws instanceof WebSocketFeed, ws.name]).toEqual([true, 'ws://127.0.0.1:8765']);
    const replay = createFeed(replaySession(), { feed: 'replay' });
    expect([replay instanceof ReplayFeed, replay.name]).toEqual([true, 'replay of replay-test.json']);
  });

  it('fails for a replay without live.start, naming it', () => {
    expect(() => createFeed(replaySession({ feed: { type: 'replay' } }))).toThrow(/live\.start is not set/);
  });
});
