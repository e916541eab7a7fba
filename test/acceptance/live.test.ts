import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { MemoryLogger } from '../../src/core/logger.ts';
import type { FeedBar } from '../../src/data/feeds/bar-feed.ts';
import { endMessage, WebSocketFeed } from '../../src/data/feeds/websocket-feed.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { ROOT, session, tempFiles } from '../helpers.ts';
import { pacedFeed } from '../live-sessions.ts';

// Real FXY minute bars (UTC, stamped at their open): the first 10 are warm-up history on disk, the next
// 300 arrive over a WebSocket on loopback.
const rows = readFileSync(join(ROOT, 'data/intraday/FXY_1min.csv'), 'utf8').trim().split('\n');
const header = rows[0]!;
const history = rows.slice(1, 11);
const live = rows.slice(11, 311);
const dir = tempFiles({
  'history.csv': [header, ...history].join('\n') + '\n',
  'live-only.csv': [header, ...live].join('\n') + '\n',
});

function feedBar(row: string): FeedBar {
  const [ts, open, high, low, close, volume] = row.split(',');
  return {
    symbol: 'FXY',
    interval: '1m',
    tsClose: Date.parse(`${ts!.replace(' ', 'T')}Z`) + 60_000,
    open: Number(open),
    high: Number(high),
    low: Number(low),
    close: Number(close),
    volume: Number(volume),
  };
}

function message(row: string): string {
  const { tsClose, interval: _interval, ...bar } = feedBar(row);
  return JSON.stringify({ ...bar, time: new Date(tsClose).toISOString() });
}

const config = (file: string, isolation: 'inline' | 'thread') => ({
  data: [{ symbol: 'FXY', file, format: 'ohlcv', calendar: '24h' }],
  strategies: [
    {
      module: 'strategies/examples/simple_ma_cross',
      isolation,
      config: { symbols: ['FXY'], interval: '1m', fast_period: 5, slow_period: 20, position_size: 10 },
    },
  ],
});

let server: WebSocketServer;
let url: string;
/** What the server sends to each connection, in order; it says the feed ended, and closes, after. */
let script: string[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  url = `ws://127.0.0.1:${address.port}`;
  server.on('connection', (ws) => {
    for (const m of script) ws.send(m);
    ws.send(endMessage('script done'));
    ws.close(1000);
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a live session on a WebSocket feed', () => {
  it('trades the live bars as a backtest of the same bars does (inline strategy)', async () => {
    script = live.map(message);
    const log = new MemoryLogger();
    const liveRun = await runBacktestWithResult({
      session: session(config(join(dir, 'history.csv'), 'inline'), 'live'),
      runId: 'live',
      startedAt: 0,
      logger: log,
      feed: new WebSocketFeed(url),
    });
    const backtest = await runBacktestWithResult({
      session: session(config(join(dir, 'live-only.csv'), 'inline'), 'bt'),
      runId: 'bt',
      startedAt: 0,
    });
    expect(liveRun.result.bars).toBe(310);
    expect(liveRun.result.steps).toBe(300);
    expect(liveRun.result.trades.length).toBeGreaterThan(3);
    expect(liveRun.result.trades).toEqual(backtest.result.trades);
    expect(liveRun.result.open_positions).toEqual(backtest.result.open_positions);
    expect(liveRun.result.final_value).toBeCloseTo(backtest.result.final_value, 9);
    expect(liveRun.engine.syncMode).toBe('live');
  });

  it('trades the live bars as a backtest does with a thread strategy fed at a pace it keeps up with', async () => {
    // 40 ms between bars: a moving-average cross takes microseconds, so each signal reaches the broker
    // before the next bar, as in a backtest.
    const bars = 150;
    const dir2 = tempFiles({ 'live-only.csv': [header, ...live.slice(0, bars)].join('\n') + '\n' });
    const liveRun = await runBacktestWithResult({
      session: session(config(join(dir, 'history.csv'), 'thread'), 'live-paced'),
      runId: 'live-paced',
      startedAt: 0,
      feed: pacedFeed(live.slice(0, bars).map(feedBar), 40),
    });
    const backtest = await runBacktestWithResult({
      session: session(config(join(dir2, 'live-only.csv'), 'thread'), 'bt-paced'),
      runId: 'bt-paced',
      startedAt: 0,
    });
    const [m] = liveRun.engine.getMetrics().strategies;
    // Its overruns are not pinned: a machine busy with other work can hold a thread past a bar's gap
    // (the overrun tests in src/engine/live-overruns.test.ts pin them with 300 ms between bars).
    expect(m).toMatchObject({ isolation: 'thread', notifications: bars, dropped: 0 });
    expect(liveRun.result.trades.length).toBe(2);
    expect(liveRun.result.trades).toEqual(backtest.result.trades);
    expect(liveRun.engine.recorder.orders).toEqual(backtest.engine.recorder.orders);
    expect(liveRun.result.open_positions).toEqual(backtest.result.open_positions);
    // Four seconds of bars, two threads to start: generous on a busy machine.
  }, 60_000);

  it('runs a thread strategy live without waiting for it, dropping (and counting) what overfills its queue', async () => {
    script = live.map(message);
    const { result, engine } = await runBacktestWithResult({
      session: session(config(join(dir, 'history.csv'), 'thread'), 'live-thread'),
      runId: 'live-thread',
      startedAt: 0,
      feed: new WebSocketFeed(url),
    });
    expect(result.status).toBe('completed');
    const [m] = engine.getMetrics().strategies;
    expect(m).toMatchObject({ isolation: 'thread', status: 'running' });
    // A live feed is never held up: when the burst overfills the queue, the oldest are dropped and counted.
    expect({ n: m!.notifications, dropped: m!.dropped }).toEqual({
      n: 300 - m!.dropped,
      dropped: m!.dropped,
    });
    // What it traded depends on how far behind it fell; the books must still balance.
    const held = result.open_positions.reduce((v, p) => v + p.quantity * p.last_price, 0);
    expect(result.final_value).toBeCloseTo(result.cash + held, 6);
  });

  it('ignores bad messages and bad bars with a warning naming the problem, and keeps going', async () => {
    const bad = JSON.parse(message(live[5]!)) as Record<string, unknown>;
    script = [
      ...live.slice(0, 5).map(message),
      'not json',
      JSON.stringify({ ...bad, high: 1, low: 2 }),
      JSON.stringify({ ...bad, symbol: 'NOPE' }),
      message(live[3]!), // older than the last bar
      JSON.stringify({ symbol: 'FXY', open: 1 }),
      ...live.slice(5, 50).map(message),
    ];
    const log = new MemoryLogger();
    const { result, engine } = await runBacktestWithResult({
      session: session(config(join(dir, 'history.csv'), 'inline'), 'live-bad'),
      runId: 'live-bad',
      startedAt: 0,
      logger: log,
      feed: new WebSocketFeed(url),
    });
    expect(result.steps).toBe(50);
    expect(engine.liveRejected).toBe(5);
    const warnings = log.records.filter((r) => r.level === 'warn').map((r) => r.msg);
    expect(warnings.some((w) => w.includes('message 6: not JSON'))).toBe(true);
    expect(warnings.some((w) => w.includes('high below low'))).toBe(true);
    // The feed itself turns away a stream nobody subscribed to and a bar older than one delivered.
    expect(warnings.some((w) => w.includes('bar NOPE 1m at') && w.includes('not subscribed'))).toBe(true);
    expect(warnings.some((w) => w.includes('is older than a bar delivered already'))).toBe(true);
    expect(warnings.some((w) => w.includes('message 10: time: Invalid input; high: Invalid input'))).toBe(
      true,
    );
  });
});
