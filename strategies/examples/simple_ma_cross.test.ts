import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { readYahooDaily } from '../../src/indicators/bars.fixture.ts';
import { backtest, ROOT, tempFiles } from '../../test/helpers.ts';
import { configSchema } from './simple_ma_cross.ts';

const FILE = 'daily/nvda-1999-2014.txt';

const config = (strategyConfig: Readonly<Record<string, unknown>>) => ({
  data: [{ symbol: 'NVDA', file: `data/${FILE}` }],
  strategies: [
    {
      module: 'strategies/examples/simple_ma_cross',
      config: { symbols: ['NVDA'], fast_period: 20, slow_period: 50, position_size: 100, ...strategyConfig },
    },
  ],
});

/**
 * Replays the strategy by hand: each SMA summed afresh over its window of CSV closes, a cross when the
 * sign of fast - slow differs from the last non-zero one, fills at the next row's open.
 */
function handTrades(fast: number, slow: number) {
  const { date, open, close } = readYahooDaily(FILE);
  const sma = (i: number, n: number) =>
    i + 1 < n ? NaN : close.slice(i + 1 - n, i + 1).reduce((a, b) => a + b, 0) / n;
  const trades: { entryDate: string; entryPrice: number; exitDate: string; exitPrice: number }[] = [];
  let lastSign = 0;
  let entry: { date: string; price: number } | undefined;
  let held = false;
  for (let i = 0; i + 1 < close.length; i++) {
    const d = sma(i, fast) - sma(i, slow);
    if (Number.isNaN(d) || d === 0) continue;
    const sign = Math.sign(d);
    const crossed = lastSign !== 0 && sign !== lastSign;
    lastSign = sign;
    if (!crossed) continue;
    if (!held && sign > 0) {
      entry = { date: date[i + 1]!, price: open[i + 1]! };
      held = true;
    } else if (held && sign < 0 && entry) {
      trades.push({
        entryDate: entry.date,
        entryPrice: entry.price,
        exitDate: date[i + 1]!,
        exitPrice: open[i + 1]!,
      });
      held = false;
    }
  }
  return { trades, open: held ? entry : undefined, lastClose: close[close.length - 1]! };
}

describe('simple_ma_cross on real daily bars (NVDA 1999-2014, SMA 20/50, 100 shares)', () => {
  it('pins the trade count, the first trades, the open position and the final value', async () => {
    const { result } = await backtest(config({}));
    expect(result.trades).toHaveLength(38);
    expect(
      result.trades.slice(0, 2).map(({ entry_time, entry_price, exit_time, exit_price, pnl, bars }) => ({
        entry_time,
        entry_price,
        exit_time,
        exit_price,
        pnl,
        bars,
      })),
    ).toEqual([
      {
        entry_time: '1999-07-09T20:00:00.000Z',
        entry_price: 1.625,
        exit_time: '1999-10-05T20:00:00.000Z',
        exit_price: 1.625,
        pnl: 0,
        bars: 61,
      },
      {
        entry_time: '1999-11-10T21:00:00.000Z',
        entry_price: 2.393225,
        exit_time: '2000-05-05T20:00:00.000Z',
        exit_price: 7.307292,
        pnl: expect.closeTo(491.4067, 9) as number,
        bars: 122,
      },
    ]);
    expect(result.open_positions).toEqual([
      {
        strategy: 'simple_ma_cross',
        symbol: 'NVDA',
        quantity: 100,
        avg_price: 19.709999,
        last_price: 20.049999,
      },
    ]);
    expect(Math.abs(result.cash - 101_141.8656)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - 103_146.8655)).toBeLessThan(1e-6);
  });

  it('trades exactly on the crosses of SMAs computed by hand from the CSV closes', async () => {
    const { result } = await backtest(config({}));
    const hand = handTrades(20, 50);
    expect(
      result.trades.map((t) => [
        t.entry_time.slice(0, 10),
        t.entry_price,
        t.exit_time.slice(0, 10),
        t.exit_price,
      ]),
    ).toEqual(hand.trades.map((t) => [t.entryDate, t.entryPrice, t.exitDate, t.exitPrice]));
    expect(result.open_positions.map((p) => p.avg_price)).toEqual([hand.open?.price]);
    const realized = hand.trades.reduce((sum, t) => sum + 100 * (t.exitPrice - t.entryPrice), 0);
    const held = 100 * (hand.lastClose - (hand.open?.price ?? NaN));
    expect(Math.abs(result.final_value - (100_000 + realized + held))).toBeLessThan(1e-6);
  });

  it('trades only while the bar quality reaches min_quality', async () => {
    // The NVDA file has a bar for every NYSE session, so its quality stays 100 and the strictest floor changes nothing.
    const full = await backtest(config({ min_quality: 100 }));
    expect(full.result.trades).toHaveLength(38);
    // Every other session dropped: quality falls to about 50, so a floor of 60 blocks every cross.
    const [header, ...rows] = readFileSync(join(ROOT, 'data', FILE), 'utf8')
      .trim()
      .split('\n');
    const dir = tempFiles({ 'half.csv': [header, ...rows.filter((_, i) => i % 2 === 0)].join('\n') + '\n' });
    const half = (minQuality: number) => ({
      ...config({ min_quality: minQuality }),
      data: [{ symbol: 'NVDA', file: join(dir, 'half.csv') }],
    });
    const [open, gated] = await Promise.all([backtest(half(0)), backtest(half(60))]).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    expect(open.result.trades.length).toBeGreaterThan(10);
    expect(gated.result.trades).toEqual([]);
    expect(gated.result.orders.total).toBe(0);
  });

  it('applies its defaults', () => {
    expect(configSchema.parse({ symbols: ['NVDA'] })).toEqual({
      symbols: ['NVDA'],
      interval: '1d',
      position_size: 1,
      fast_period: 10,
      slow_period: 30,
      min_quality: 0,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'fast equal to slow',
      { fast_period: 30, slow_period: 30 },
      /^strategies\[0\]\.config\.fast_period: must be less than slow_period$/,
    ],
    [
      'fast above slow',
      { fast_period: 50, slow_period: 20 },
      /^strategies\[0\]\.config\.fast_period: must be less than slow_period$/,
    ],
    ['a zero fast period', { fast_period: 0 }, /^strategies\[0\]\.config\.fast_period: Too small/],
    [
      'a fractional slow period',
      { slow_period: 20.5 },
      /^strategies\[0\]\.config\.slow_period: Invalid input: expected int/,
    ],
    ['min_quality above 100', { min_quality: 101 }, /^strategies\[0\]\.config\.min_quality: Too big/],
    ['a misspelt key', { fast_perod: 5 }, /^strategies\[0\]\.config: Unrecognized key: "fast_perod"$/],
  ])('rejects a config with %s, naming the path', async (_what, strategyConfig, message) => {
    const caught = await backtest(config(strategyConfig)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG'), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
