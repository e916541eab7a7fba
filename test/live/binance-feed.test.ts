// The Binance feed against a local server speaking Binance's formats: a clean stream, a drop with bars
// missed meanwhile, a silent connection, bad messages, an unknown symbol, an unreachable server.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import type { FeedBar } from '../../src/data/feeds/bar-feed.ts';
import { BinanceFeed, type BinanceFeedOptions } from '../../src/data/feeds/binance-feed.ts';
import { BinanceTestServer, fxyKlines, klineMessage, type TestKline } from './binance-server.ts';
import { FeedRecorder } from './feed-recorder.ts';

const KLINES = fxyKlines(1500);
const FAST = { max_attempts: 20, initial_delay_ms: 5, max_delay_ms: 20 };

/** The bar a kline should become: stamped at Binance's close time + 1 ms. */
const barOf = (k: TestKline, symbol = 'BTCUSDT'): FeedBar => ({
  symbol,
  interval: '1m',
  tsClose: k.closeTimeMs + 1,
  open: Number(k.o),
  high: Number(k.h),
  low: Number(k.l),
  close: Number(k.c),
  volume: Number(k.v),
});
const closeOf = (i: number): number => KLINES[i]!.closeTimeMs + 1;

let server: BinanceTestServer | undefined;
let feed: BinanceFeed | undefined;
afterEach(async () => {
  feed?.stop();
  feed = undefined;
  await server?.close();
  server = undefined;
});

async function setUp(closed: number, options: Partial<BinanceFeedOptions> = {}) {
  const s = await BinanceTestServer.start({ symbols: { BTCUSDT: KLINES }, closed });
  server = s;
  const f = new BinanceFeed({
    wsUrl: s.wsUrl,
    restUrl: s.restUrl,
    reconnect: FAST,
    heartbeatMs: 5_000,
    clock: { now: () => s.nowMs },
    ...options,
  });
  feed = f;
  return { s, f, rec: new FeedRecorder() };
}

describe('BinanceFeed', () => {
  it('delivers closed klines only, stamped as the REST history stamps them, after a backfill from the last bar held', async () => {
    const { s, f, rec } = await setUp(100);
    // The run holds bars up to kline 89: 90..99 are backfilled over REST, then the stream goes live.
    f.start([{ symbol: 'BTCUSDT', interval: '1m', sinceMs: closeOf(89) }], rec);
    await rec.until(() => expect(rec.log).toEqual(['connected', 'backfilled 10']));
    s.publish(50);
    await rec.untilBars(60);
    expect(rec.bars).toEqual(KLINES.slice(90, 150).map((k) => barOf(k)));
    expect(rec.rejects).toEqual([]);
    // One symbol check and one backfill.
    expect(s.restRequests.length).toBe(2);
    expect(f.restRequests).toBe(2);
    // History over REST is the same bars as the stream gave (same stamps), closed ones only.
    expect(await f.history('BTCUSDT', '1m', 30)).toEqual(KLINES.slice(120, 150).map((k) => barOf(k)));
    f.stop();
    expect(rec.end).toEqual({ outcome: 'stopped', reason: expect.stringContaining('stopped') as string });
    expect(rec.afterEnd).toBe(0);
  });

  it('pages through REST for a long history and a long backfill', async () => {
    const { s, f, rec } = await setUp(1400);
    const history = await f.history('BTCUSDT', '1m', 1200);
    expect(history).toEqual(KLINES.slice(200, 1400).map((k) => barOf(k)));
    f.start([{ symbol: 'BTCUSDT', interval: '1m', sinceMs: closeOf(99) }], rec);
    await rec.until(() => expect(rec.count('backfilled')).toBe(1));
    expect(rec.bars).toEqual(KLINES.slice(100, 1400).map((k) => barOf(k)));
    // 2 history pages, a symbol check, 2 backfill pages.
    expect(s.restRequests.length).toBe(5);
  });

  it('after a drop with bars missed meanwhile, reconnects and backfills: the series equals an uninterrupted one', async () => {
    const { s, f, rec } = await setUp(100);
    f.start([{ symbol: 'BTCUSDT', interval: '1m', sinceMs: closeOf(99) }], rec);
    await rec.until(() => expect(rec.count('backfilled')).toBe(1));
    s.publish(20);
    await rec.untilBars(20);
    // Down: the connection is cut and refused while 30 bars close.
    s.refuse = true;
    s.dropAll();
    await rec.until(() => expect(rec.count('disconnected')).toBeGreaterThanOrEqual(1));
    s.publish(30);
    // Back, with REST held: live bars arrive during the backfill and must be merged, not lost or doubled.
    s.holdRest = true;
    s.refuse = false;
    await rec.until(() => expect(s.clients).toBe(1));
    s.publish(5);
    s.releaseRest();
    await rec.untilBars(55);
    s.publish(15);
    await rec.untilBars(70);
    expect(rec.bars).toEqual(KLINES.slice(100, 170).map((k) => barOf(k)));
    expect(rec.rejects).toEqual([]);
    const backfills = rec.events.filter((e) => e.kind === 'backfilled').map((e) => e.bars);
    expect(backfills.at(-1)).toBe(35);
    expect(rec.events.find((e) => e.kind === 'disconnected')).toMatchObject({ attempt: 1 });
  });

  it('takes a silent connection as lost (heartbeat), reconnects, and counts server pings as signs of life', async () => {
    const { s, f, rec } = await setUp(100, { heartbeatMs: 1_000 });
    f.start([{ symbol: 'BTCUSDT', interval: '1m', sinceMs: closeOf(99) }], rec);
    await rec.until(() => expect(rec.count('backfilled')).toBe(1));
    // Pings alone (no message, no pong) keep it: 30 pings 50 ms apart span 1.5 heartbeat times.
    s.silent = true;
    for (let i = 0; i < 30; i++) {
      s.ping();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rec.count('disconnected')).toBe(0);
    // Then nothing at all: the watchdog cuts it and the feed reconnects.
    await rec.until(() => expect(rec.count('disconnected')).toBeGreaterThanOrEqual(1));
    const lost = rec.events.find((e) => e.kind === 'disconnected');
    expect(lost).toMatchObject({ reason: 'no message, ping or pong for 1000 ms' });
    s.silent = false;
    s.publish(10);
    await rec.untilBars(10);
    expect(rec.bars).toEqual(KLINES.slice(100, 110).map((k) => barOf(k)));
    expect(s.connections).toBeGreaterThanOrEqual(2);
  });

  it('counts malformed, duplicate and out-of-order messages by kind and goes on', async () => {
    const { s, f, rec } = await setUp(100);
    f.start([{ symbol: 'BTCUSDT', interval: '1m' }], rec);
    await rec.until(() => expect(rec.count('connected')).toBe(1));
    s.publish(5);
    await rec.untilBars(5);
    const bad = JSON.parse(klineMessage('BTCUSDT', KLINES[105]!, true)) as {
      data: { k: Record<string, unknown> };
    };
    bad.data.k['h'] = '1';
    bad.data.k['l'] = '2';
    s.sendRaw('not json');
    s.sendRaw(JSON.stringify({ stream: 'btcusdt@kline_1m', data: { e: 'trade' } }));
    s.sendRaw(JSON.stringify(bad));
    s.sendRaw(klineMessage('BTCUSDT', KLINES[104]!, true)); // the last bar again
    s.sendRaw(klineMessage('BTCUSDT', KLINES[102]!, true)); // an older one
    s.sendRaw(klineMessage('ETHUSDT', KLINES[105]!, true)); // a stream not subscribed
    s.publish(5);
    await rec.untilBars(10);
    expect(rec.rejectCounts()).toEqual({
      malformed: 3,
      duplicate: 1,
      'out-of-order': 1,
      'unknown-stream': 1,
    });
    expect(rec.rejects.map((r) => r.problem)).toEqual([
      expect.stringContaining('not JSON'),
      expect.stringContaining('not a kline'),
      expect.stringContaining('high below low'),
      expect.stringContaining('was delivered already'),
      expect.stringContaining('is older than a bar delivered already'),
      expect.stringContaining('bar ETHUSDT 1m'),
    ]);
    expect(rec.bars).toEqual(KLINES.slice(100, 110).map((k) => barOf(k)));
    expect(rec.end).toBeUndefined();
  });

  it('ends failed on an unknown symbol, naming it and the URL, before subscribing', async () => {
    const { s, f, rec } = await setUp(100);
    f.start([{ symbol: 'NOPEUSDT', interval: '1m' }], rec);
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.end?.outcome).toBe('failed');
    expect(rec.end?.reason).toContain('unknown symbol "NOPEUSDT"');
    expect(rec.end?.reason).toContain(`${s.restUrl}/api/v3/klines?symbol=NOPEUSDT`);
    expect(s.connections).toBe(0);
    const e: unknown = await f.history('NOPEUSDT', '1m', 10).catch((x: unknown) => x);
    expect(isTradeflowError(e, 'TF_ERR_FEED_SYMBOL')).toBe(true);
  });

  it('retries an unreachable server by its policy, then ends failed naming the URL', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const f = new BinanceFeed({
      wsUrl: `ws://127.0.0.1:${port}`,
      restUrl: `http://127.0.0.1:${port}`,
      reconnect: { max_attempts: 3, initial_delay_ms: 5, max_delay_ms: 10 },
      heartbeatMs: 1_000,
    });
    feed = f;
    const rec = new FeedRecorder();
    f.start([{ symbol: 'BTCUSDT', interval: '1m' }], rec);
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.log).toEqual(['disconnected', 'disconnected', 'disconnected', 'end failed']);
    expect(rec.events.map((e) => (e.kind === 'disconnected' ? e.attempt : 0))).toEqual([1, 2, 3]);
    expect(rec.end?.reason).toContain(
      `cannot connect to ws://127.0.0.1:${port}/stream?streams=btcusdt@kline_1m`,
    );
    expect(rec.end?.reason).toContain(`cannot reach http://127.0.0.1:${port}/api/v3/klines`);
    expect(rec.end?.reason).toContain('gave up after 3 retries');
  });

  it('ends failed after the last reconnect attempt of a connection that was up', async () => {
    const { s, f, rec } = await setUp(100, {
      reconnect: { max_attempts: 2, initial_delay_ms: 5, max_delay_ms: 10 },
    });
    f.start([{ symbol: 'BTCUSDT', interval: '1m' }], rec);
    await rec.until(() => expect(rec.count('connected')).toBe(1));
    s.refuse = true;
    s.dropAll();
    await rec.until(() => expect(rec.end).toBeDefined());
    expect(rec.log).toEqual(['connected', 'disconnected', 'disconnected', 'end failed']);
    expect(rec.end?.reason).toMatch(
      /connection to ws:\/\/127\.0\.0\.1:\d+\/stream\?streams=btcusdt@kline_1m lost/,
    );
    expect(rec.end?.reason).toContain('gave up after 2 reconnect attempts');
  });

  it('adds a stream while running with SUBSCRIBE, backfilled from its last bar', async () => {
    const s = await BinanceTestServer.start({ symbols: { BTCUSDT: KLINES, ETHUSDT: KLINES }, closed: 100 });
    server = s;
    const f = new BinanceFeed({
      wsUrl: s.wsUrl,
      restUrl: s.restUrl,
      reconnect: FAST,
      clock: { now: () => s.nowMs },
    });
    feed = f;
    const rec = new FeedRecorder();
    f.start([{ symbol: 'BTCUSDT', interval: '1m' }], rec);
    await rec.until(() => expect(rec.count('connected')).toBe(1));
    f.subscribe({ symbol: 'ethusdt', interval: '1m', sinceMs: closeOf(95) });
    await rec.until(() => expect(rec.count('backfilled')).toBe(1));
    s.publish(2);
    await rec.untilBars(4 + 4);
    const eth = rec.bars.filter((b) => b.symbol === 'ethusdt');
    expect(eth).toEqual(KLINES.slice(96, 102).map((k) => barOf(k, 'ethusdt')));
    // Checks of both symbols and the one backfill.
    expect(s.restRequests.length).toBe(3);
    expect(rec.rejects).toEqual([]);
    // An unknown symbol joining is turned away alone: the other streams go on.
    f.subscribe({ symbol: 'NOPEUSDT', interval: '1m' });
    await rec.until(() => expect(rec.rejects.length).toBe(1));
    expect(rec.rejects[0]).toEqual({
      kind: 'unknown-stream',
      problem: expect.stringContaining('NOPEUSDT 1m: unknown symbol "NOPEUSDT"') as string,
    });
    s.publish(1);
    await rec.untilBars(10);
    expect(rec.end).toBeUndefined();
  });
});
