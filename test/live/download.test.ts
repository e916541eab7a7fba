// `tradeflow download binance` run as the real CLI against a local Binance look-alike: the file it writes
// backtests, and bad dates, an unknown symbol, an unreachable or failing server leave no file behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, runCli } from '../helpers.ts';
import { BinanceTestServer, fxyKlines } from './binance-server.ts';

const KLINES = fxyKlines(1500);
let server: BinanceTestServer;
const dir = mkdtempSync(join(tmpdir(), 'tradeflow-download-'));

beforeAll(async () => {
  server = await BinanceTestServer.start({ symbols: { BTCUSDT: KLINES }, closed: 1400 });
});
afterAll(() => server.close());

const download = (out: string, ...args: string[]) =>
  runCli(['download', 'binance', 'btcusdt', '--out', out, '--rest-url', server.restUrl, ...args]);

describe('tradeflow download binance', () => {
  it('writes the klines of the range, over several pages, to an ohlcv file that backtests', async () => {
    const out = join(dir, 'btc.csv');
    const before = server.restRequests.length;
    const run = await download(
      out,
      '--interval',
      '1m',
      '--from',
      '2024-01-01T00:00:00Z',
      '--to',
      '2024-01-01T20:00:00Z',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote 1200 1m klines of BTCUSDT to ${out}\n`);
    expect(server.restRequests.length - before).toBe(2);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1201);
    const k = KLINES[0]!;
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume');
    expect(lines[1]).toBe(
      `2024-01-01 00:00:00,${Number(k.o)},${Number(k.h)},${Number(k.l)},${Number(k.c)},${Number(k.v)}`,
    );
    expect(lines[1200]?.startsWith('2024-01-01 19:59:00,')).toBe(true);
    const { result } = await backtest(
      {
        data: [{ symbol: 'BTCUSDT', file: out, format: 'ohlcv', calendar: '24h' }],
        strategies: [
          {
            module: 'strategies/examples/simple_ma_cross',
            config: {
              symbols: ['BTCUSDT'],
              interval: '1m',
              fast_period: 5,
              slow_period: 20,
              position_size: 10,
            },
          },
        ],
      },
      'downloaded',
    );
    expect(result.bars).toBe(1200);
    expect(result.trades.length).toBeGreaterThan(3);
    expect(result.data).toMatchObject([
      { symbol: 'BTCUSDT', format: 'ohlcv', interval: '1m', rows: 1200, skipped: 0, problems: {} },
    ]);
  });

  it('refuses bad dates and an empty range as usage errors', async () => {
    const out = join(dir, 'bad.csv');
    const bad = await download(out, '--from', '2024-02-30', '--to', '2024-03-01');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"2024-02-30" is not a date');
    const backwards = await download(out, '--from', '2024-01-02', '--to', '2024-01-01');
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('--to (2024-01-01T00:00:00.000Z) must be after --from');
    const empty = await download(out, '--from', '2023-01-01', '--to', '2023-01-02');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no closed 1m klines of BTCUSDT from 2023-01-01T00:00:00.000Z');
    expect(existsSync(out)).toBe(false);
  });

  it('names an unknown symbol and the URL, and leaves no file', async () => {
    const out = join(dir, 'nope.csv');
    const run = await runCli([
      'download',
      'binance',
      'NOPEUSDT',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-02',
      '--out',
      out,
      '--rest-url',
      server.restUrl,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `TF_ERR_FEED_SYMBOL: unknown symbol "NOPEUSDT": ${server.restUrl}/api/v3/klines?symbol=NOPEUSDT`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('names an unreachable server, and a server failing mid-download leaves no partial file', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = join(dir, 'down.csv');
    const args = ['--from', '2024-01-01', '--to', '2024-01-02'];
    const down = await runCli([
      'download',
      'binance',
      'BTCUSDT',
      '--out',
      out,
      '--rest-url',
      `http://127.0.0.1:${port}`,
      ...args,
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(
      `TF_ERR_FEED_UNREACHABLE: cannot reach http://127.0.0.1:${port}/api/v3/klines?symbol=BTCUSDT`,
    );
    server.failRestAfter = server.restRequests.length + 1;
    const failing = await download(out, ...args);
    server.failRestAfter = undefined;
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain('answered HTTP 500');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
