// The feed server over real WebSockets on 127.0.0.1: streams as subscribed, backfills after `since`, a
// silent client getting every stream, several clients at once, the end message, and a port in use.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ManualTimer } from '../../core/manual-timer.fixture.ts';
import type { FeedBar, FeedEnd } from './bar-feed.ts';
import { type FeedServer, type FeedServerOptions, startFeedServer } from './feed-server.ts';
import { loadReplayBars } from './replay-bars.ts';
import { closeAt, replaySession } from './replay.fixture.ts';
import { parseBarMessage, WebSocketFeed } from './websocket-feed.ts';

const servers: FeedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(o: Partial<FeedServerOptions> = {}): Promise<FeedServer> {
  const server = await startFeedServer({ replay: loadReplayBars(replaySession()), speed: 1e9, port: 0, ...o });
  servers.push(server);
  return server;
}

/** A client that sends `subscribe` (if any) on open and keeps what it gets as `A@m` strings and the end. */
function client(url: string, subscribe?: { symbol: string; interval: string; since?: number }[]) {
  const ws = new WebSocket(url);
  const got: string[] = [];
  const state = { end: undefined as string | undefined, closed: false };
  ws.on('open', () => {
    if (subscribe) ws.send(JSON.stringify({ subscribe }));
  });
  ws.on('message', (data) => {
    const text = (data as Buffer).toString('utf8');
    const end = (JSON.parse(text) as { end?: string }).end;
    if (end !== undefined) return void (state.end = end);
    const parsed = parseBarMessage(text);
    if ('problem' in parsed) throw new Error(parsed.problem);
    if ('end' in parsed) return;
    for (const b of parsed.bars) got.push(`${b.symbol}@${(b.tsClose - closeAt(0)) / 60_000}`);
  });
  ws.on('close', () => (state.closed = true));
  return { ws, got, state, opened: new Promise((r) => ws.once('open', r)) };
}

/** Waits for what arrives over loopback; generous, as the suite may share the machine. */
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });

const ALL = ['A@4', 'B@4', 'A@5', 'B@5', 'A@6', 'A@7', 'B@7', 'A@8', 'B@8', 'A@9', 'B@9'];

describe('startFeedServer', () => {
  it('sends each client the streams it asked for after its since, then the end, to several clients at once', async () => {
    const server = await serve({ subscribeWaitMs: 60_000 });
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const a = client(server.url, [{ symbol: 'A', interval: '1m', since: closeAt(6) }]);
    const b = client(server.url, [{ symbol: 'B', interval: '1m' }]);
    const both = client(server.url, [
      { symbol: 'A', interval: '1m', since: closeAt(8) },
      { symbol: 'B', interval: '1m', since: closeAt(4) },
      { symbol: 'NOPE', interval: '1m' },
    ]);
    await until(() => expect([a, b, both].map((c) => c.state.closed)).toEqual([true, true, true]));
    expect(a.got).toEqual(['A@7', 'A@8', 'A@9']);
    expect(b.got).toEqual(['B@4', 'B@5', 'B@7', 'B@8', 'B@9']);
    expect(both.got).toEqual(['B@5', 'B@7', 'B@8', 'A@9', 'B@9']);
    expect(a.state.end).toBe('replay of replay-test.json: all 11 bars played');
  });

  it('sends every stream to a client that sends no subscribe message in time', async () => {
    const server = await serve({ subscribeWaitMs: 20 });
    const silent = client(server.url);
    await until(() => expect(silent.state.closed).toBe(true));
    expect([silent.got, silent.state.end]).toEqual([ALL, 'replay of replay-test.json: all 11 bars played']);
  });

  it('backfills what was played before a client came at once, then goes on at the pace', async () => {
    const timer = new ManualTimer();
    const server = await serve({ speed: 60, timer, subscribeWaitMs: 60_000 });
    const first = client(server.url, [{ symbol: 'A', interval: '1m' }]);
    await first.opened;
    timer.advance(2000); // Plays minutes 4, 5 and 6.
    await until(() => expect(first.got).toEqual(['A@4', 'A@5', 'A@6']));
    const late = client(server.url, [{ symbol: 'A', interval: '1m', since: closeAt(4) }]);
    await until(() => expect(late.got).toEqual(['A@5', 'A@6']));
    timer.advance(1000);
    await until(() => expect(late.got).toEqual(['A@5', 'A@6', 'A@7']));
    expect(first.got).toEqual(['A@4', 'A@5', 'A@6', 'A@7']);
    expect(late.state.end).toBeUndefined();
    timer.advance(2000);
    await until(() => expect([first.state.closed, late.state.closed]).toEqual([true, true]));
    expect(late.got).toEqual(['A@5', 'A@6', 'A@7', 'A@8', 'A@9']);
  });

  it("is read by the JSON WebSocket feed as the replay feed's bars", async () => {
    const server = await serve();
    const bars: FeedBar[] = [];
    const ended = new Promise<FeedEnd>((resolve) => {
      new WebSocketFeed(server.url).start(
        [
          { symbol: 'A', interval: '1m', sinceMs: closeAt(3) },
          { symbol: 'B', interval: '1m', sinceMs: closeAt(3) },
        ],
        { onBar: (b) => bars.push(b), onEnd: resolve, onReject: () => {}, onConnection: () => {} },
      );
    });
    expect((await ended).outcome).toBe('completed');
    expect(bars).toEqual(loadReplayBars(replaySession()).bars);
  });

  it('says which port it cannot listen on', async () => {
    const taken = await serve();
    await expect(serve({ port: taken.port })).rejects.toThrow(
      new RegExp(`--port: cannot listen on 127\\.0\\.0\\.1:${taken.port} \\(.*EADDRINUSE.*\\); choose another port`),
    );
  });
});
