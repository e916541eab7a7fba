// The JSON WebSocket feed against a local server of its protocol: the end message, a drop with bars
// missed meanwhile (resubscribed with the last bar held), a normal close, silence, bad messages, no server.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedBar } from '../../src/data/feeds/bar-feed.ts';
import { WebSocketFeed, type WebSocketFeedOptions } from '../../src/data/feeds/websocket-feed.ts';
import { fxyKlines } from './binance-server.ts';
import { FeedRecorder } from './feed-recorder.ts';
import { barMessage, JsonFeedServer } from './json-feed-server.ts';

const BARS: FeedBar[] = fxyKlines(300).map((k) => ({
  symbol: 'FXY',
  interval: '1m',
  tsClose: k.closeTimeMs + 1,
  open: Number(k.o),
  high: Number(k.h),
  low: Number(k.l),
  close: Number(k.c),
  volume: Number(k.v),
}));
const FAST = { max_attempts: 20, initial_delay_ms: 5, max_delay_ms: 20 };
const SUB = { symbol: 'FXY', interval: '1m' } as const;

let server: JsonFeedServer | undefined;
let feed: WebSocketFeed | undefined;
afterEach(async () => {
  feed?.stop();
  feed = undefined;
  await server?.close();
  server = undefined;
});

async function setUp(published: number, options: Partial<WebSocketFeedOptions> = {}) {
  const s = await JsonFeedServer.start(BARS, published);
  server = s;
  const f = new WebSocketFeed({ url: s.url, reconnect: FAST, heartbeatMs: 5_000, ...options });
  feed = f;
  return { s, f, rec: new FeedRecorder() };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

describe('WebSocketFeed', () => {
  it('streams bars from the last one held and ends completed on the end message', async () => {
    const { s, f, rec } = await setUp(50);
    f.start([{ ...SUB, sinceMs: BARS[39]!.tsClose }], rec);
    await rec.untilBars(10);
    s.publish(20);
    await rec.untilBars(30);
    s.finish('recording played');
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.bars).toEqual(BARS.slice(40, 70));
    expect(rec.end).toEqual({ outcome: 'completed', reason: `feed ${s.url} ended: recording played` });
    expect(rec.log).toEqual(['connected', 'end completed']);
    expect(rec.afterEnd).toBe(0);
  });

  it('after a drop with bars missed meanwhile, resubscribes from the last bar: the series equals an uninterrupted one', async () => {
    const { s, f, rec } = await setUp(0);
    f.start([SUB], rec);
    await rec.until(() => expect(s.subscribes.length).toBe(1));
    s.publish(20);
    await rec.untilBars(20);
    s.refuse = true;
    s.dropAll();
    await rec.until(() => expect(rec.count('disconnected')).toBeGreaterThanOrEqual(1));
    s.publish(30);
    s.refuse = false;
    await rec.untilBars(50);
    s.publish(10);
    await rec.untilBars(60);
    expect(rec.bars).toEqual(BARS.slice(0, 60));
    expect(rec.rejects).toEqual([]);
    expect(s.subscribes.at(-1)).toEqual({
      subscribe: [{ symbol: 'FXY', interval: '1m', since: BARS[19]!.tsClose }],
    });
  });

  it('takes a normal close without the end message as a lost connection, and reconnects', async () => {
    const { s, f, rec } = await setUp(0);
    f.start([SUB], rec);
    await rec.until(() => expect(s.subscribes.length).toBe(1));
    s.publish(5);
    await rec.untilBars(5);
    s.closeAll();
    await rec.until(() => expect(rec.count('connected')).toBe(2));
    s.publish(5);
    await rec.untilBars(10);
    expect(rec.bars).toEqual(BARS.slice(0, 10));
    expect(rec.end).toBeUndefined();
    expect(rec.events.find((e) => e.kind === 'disconnected')).toMatchObject({
      reason: 'closed by the server (code 1000)',
      attempt: 1,
    });
  });

  it('takes a silent connection as lost (heartbeat) and reconnects', async () => {
    const { s, f, rec } = await setUp(0, { heartbeatMs: 300 });
    f.start([SUB], rec);
    await rec.until(() => expect(s.subscribes.length).toBe(1));
    s.silent = true;
    await rec.until(() => expect(rec.count('disconnected')).toBeGreaterThanOrEqual(1));
    expect(rec.events.find((e) => e.kind === 'disconnected')).toMatchObject({
      reason: 'no message, ping or pong for 300 ms',
    });
    s.silent = false;
    await rec.until(() => expect(s.clients).toBe(1));
    s.publish(3);
    await rec.untilBars(3);
    expect(rec.bars).toEqual(BARS.slice(0, 3));
  });

  it('counts malformed, duplicate and out-of-order messages by kind and goes on', async () => {
    const { s, f, rec } = await setUp(0);
    f.start([SUB], rec);
    await rec.until(() => expect(s.subscribes.length).toBe(1));
    s.publish(5);
    await rec.untilBars(5);
    s.sendRaw('{"symbol":');
    s.sendRaw(barMessage({ ...BARS[5]!, high: 1, low: 2 }));
    s.sendRaw(barMessage(BARS[4]!));
    s.sendRaw(barMessage(BARS[1]!));
    s.publish(5);
    await rec.untilBars(10);
    expect(rec.rejectCounts()).toEqual({ malformed: 2, duplicate: 1, 'out-of-order': 1 });
    expect(rec.bars).toEqual(BARS.slice(0, 10));
  });

  it('retries an unreachable server by its policy, then ends failed naming the URL', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/feed`;
    const f = new WebSocketFeed({
      url,
      reconnect: { max_attempts: 2, initial_delay_ms: 5, max_delay_ms: 10 },
    });
    feed = f;
    const rec = new FeedRecorder();
    f.start([SUB], rec);
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.log).toEqual(['disconnected', 'disconnected', 'end failed']);
    expect(rec.end?.reason).toMatch(
      new RegExp(
        `^feed ${url}: cannot connect to ${url} \\(connect ECONNREFUSED .*\\); gave up after 2 retries$`,
      ),
    );
  });

  it('ends failed after the last reconnect attempt, and stopped when stopped', async () => {
    const { s, f, rec } = await setUp(0, {
      reconnect: { max_attempts: 1, initial_delay_ms: 5, max_delay_ms: 5 },
    });
    f.start([SUB], rec);
    await rec.until(() => expect(rec.count('connected')).toBe(1));
    s.refuse = true;
    s.dropAll();
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.log).toEqual(['connected', 'disconnected', 'end failed']);
    expect(rec.end?.reason).toContain('gave up after 1 reconnect attempts');
    const again = new WebSocketFeed(s.url);
    const rec2 = new FeedRecorder();
    s.refuse = false;
    again.start([SUB], rec2);
    await rec2.until(() => expect(rec2.count('connected')).toBe(1));
    again.stop();
    again.stop();
    expect(rec2.log).toEqual(['connected', 'end stopped']);
  });
});
