import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { Rsi } from '../../src/indicators/rsi.ts';
import { readYahooDaily } from '../../src/indicators/bars.fixture.ts';
import { backtest } from '../../test/helpers.ts';
import { configSchema } from './rsi.ts';

const FILE = 'daily/yhoo-1996-2014.txt';

const config = (strategyConfig: Readonly<Record<string, unknown>>) => ({
  data: [{ symbol: 'YHOO', file: `data/${FILE}` }],
  strategies: [
    {
      module: 'strategies/examples/rsi',
      config: { symbols: ['YHOO'], position_size: 100, ...strategyConfig },
    },
  ],
});

interface HandTrade {
  readonly entryDate: string;
  readonly entryPrice: number;
  readonly exitDate: string;
  readonly exitPrice: number;
}

/**
 * Replays the strategy by hand over the CSV: Wilder's RSI of the closes, buy when flat below `oversold`,
 * close when long above `overbought`, each filled at the next row's open (a signal on the last row never fills).
 */
function handTrades(
  period: number,
  oversold: number,
  overbought: number,
): { trades: HandTrade[]; entrySignals: string[] } {
  const bars = readYahooDaily(FILE);
  const rsi = new Rsi(period);
  const trades: HandTrade[] = [];
  const entrySignals: string[] = [];
  let entry: { date: string; price: number } | undefined;
  for (let i = 0; i < bars.close.length; i++) {
    const r = rsi.update(bars.close[i]!);
    const next =
      i + 1 < bars.close.length ? { date: bars.date[i + 1]!, price: bars.open[i + 1]! } : undefined;
    if (entry === undefined && r < oversold) {
      entrySignals.push(bars.date[i]!);
      entry = next;
    } else if (entry !== undefined && r > overbought && next) {
      trades.push({
        entryDate: entry.date,
        entryPrice: entry.price,
        exitDate: next.date,
        exitPrice: next.price,
      });
      entry = undefined;
    }
  }
  return { trades, entrySignals };
}

describe('rsi on real daily bars (YHOO 1996-2014, RSI 14, 30/70, 100 shares)', () => {
  it('pins the trade count, the first trade and the final value', async () => {
    const { result } = await backtest(config({}));
    expect(result.trades).toHaveLength(14);
    expect(result.trades[0]).toEqual({
      strategy: 'rsi',
      symbol: 'YHOO',
      direction: 'long',
      quantity: 100,
      entry_time: '1996-06-18T20:00:00.000Z',
      entry_price: 0.90625,
      exit_time: '1996-09-23T20:00:00.000Z',
      exit_price: 0.994792,
      pnl: expect.closeTo(8.8542, 9) as number,
      commission: 0,
      bars: 67,
    });
    expect(result.open_positions).toEqual([]);
    expect(result.orders).toEqual({ total: 28, filled: 28, rejected: 0, cancelled: 0 });
    expect(Math.abs(result.final_value - 97_088.6672)).toBeLessThan(1e-6);
    expect(result.final_value).toBe(result.cash);
  });

  it('enters and exits exactly where RSI recomputed over the CSV closes says, at the next open', async () => {
    const { result } = await backtest(config({}));
    const hand = handTrades(14, 30, 70);
    // The first entry signals, read off the closes directly: the strategy must act on the same days.
    expect(hand.entrySignals.slice(0, 3)).toEqual(['1996-06-17', '1998-08-31', '2000-04-14']);
    expect(result.trades.map((t) => t.entry_time.slice(0, 10))).toEqual(hand.trades.map((t) => t.entryDate));
    expect(result.trades.map((t) => t.exit_time.slice(0, 10))).toEqual(hand.trades.map((t) => t.exitDate));
    expect(result.trades.map((t) => t.entry_price)).toEqual(hand.trades.map((t) => t.entryPrice));
    expect(result.trades.map((t) => t.exit_price)).toEqual(hand.trades.map((t) => t.exitPrice));
    const pnl = hand.trades.reduce((sum, t) => sum + 100 * (t.exitPrice - t.entryPrice), 0);
    expect(Math.abs(result.final_value - (100_000 + pnl))).toBeLessThan(1e-6);
  });

  it('follows other levels too (period 7, 20/80)', async () => {
    const { result } = await backtest(config({ period: 7, oversold: 20, overbought: 80 }));
    const hand = handTrades(7, 20, 80);
    expect(hand.trades.length).toBeGreaterThan(20);
    expect(
      result.trades.map((t) => [
        t.entry_time.slice(0, 10),
        t.entry_price,
        t.exit_time.slice(0, 10),
        t.exit_price,
      ]),
    ).toEqual(hand.trades.map((t) => [t.entryDate, t.entryPrice, t.exitDate, t.exitPrice]));
  });

  it('applies its defaults', () => {
    expect(configSchema.parse({ symbols: ['YHOO'] })).toEqual({
      symbols: ['YHOO'],
      interval: '1d',
      position_size: 1,
      period: 14,
      oversold: 30,
      overbought: 70,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'oversold above overbought',
      { oversold: 70, overbought: 30 },
      /^strategies\[0\]\.config\.oversold: must be less than overbought$/,
    ],
    [
      'oversold equal to overbought',
      { oversold: 50, overbought: 50 },
      /^strategies\[0\]\.config\.oversold: must be less than overbought$/,
    ],
    ['a period of 1', { period: 1 }, /^strategies\[0\]\.config\.period: Too small/],
    [
      'a fractional period',
      { period: 14.5 },
      /^strategies\[0\]\.config\.period: Invalid input: expected int/,
    ],
    ['a level above 100', { overbought: 120 }, /^strategies\[0\]\.config\.overbought: Too big/],
    [
      'a level given as text',
      { oversold: '30' },
      /^strategies\[0\]\.config\.oversold: Invalid input: expected number, received string/,
    ],
  ])('rejects a config with %s, naming the path', async (_what, strategyConfig, message) => {
    const caught = await backtest(config(strategyConfig)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG'), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
