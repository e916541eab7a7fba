import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { readYahooDaily } from '../../src/indicators/bars.fixture.ts';
import { backtest } from '../../test/helpers.ts';
import { BuyAndHoldStrategy, configSchema } from './buy_and_hold.ts';

const FILES = {
  ORCL: 'daily/orcl-1995-2014.txt',
  NVDA: 'daily/nvda-1999-2014.txt',
  YHOO: 'daily/yhoo-1996-2014.txt',
} as const;
type Sym = keyof typeof FILES;
const SYMBOLS = Object.keys(FILES) as Sym[];

const config = (
  symbols: readonly Sym[],
  extra: Readonly<Record<string, unknown>> = {},
  broker: unknown = {},
) => ({
  data: symbols.map((symbol) => ({ symbol, file: `data/${FILES[symbol]}` })),
  strategies: [
    { module: 'strategies/examples/buy_and_hold', config: { symbols, position_size: 100, ...extra } },
  ],
  broker,
});

// The daily-portfolio example's terms: $0.005 a share with a $1 minimum, 2 bps slippage.
const COSTS = { initial_cash: 100_000, commission: { per_share: 0.005, minimum: 1 }, slippage_bps: 2 };

describe('buy_and_hold on real daily bars', () => {
  it('buys NVDA once at the second bar open and holds it: pinned figures', async () => {
    const { result } = await backtest(config(['NVDA']));
    expect(result.trades).toEqual([]);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect(result.open_positions).toEqual([
      { strategy: 'buy_and_hold', symbol: 'NVDA', quantity: 100, avg_price: 1.770833, last_price: 20.049999 },
    ]);
    expect(Math.abs(result.cash - 99_822.9167)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - 101_827.9166)).toBeLessThan(1e-6);
  });

  it('matches a hand computation from the CSVs with commission and slippage on three symbols', async () => {
    const { result } = await backtest(config(SYMBOLS, {}, COSTS));
    // By hand: each symbol's signal comes on its first bar, so the fill is at its second bar's open.
    let cash = COSTS.initial_cash;
    let value = 0;
    const expected = SYMBOLS.map((symbol) => {
      const bars = readYahooDaily(FILES[symbol]);
      const fill = bars.open[1]! * (1 + 2 / 10_000);
      const last = bars.close[bars.close.length - 1]!;
      cash -= 100 * fill + Math.max(1, 100 * 0.005);
      value += 100 * last;
      return { symbol, fill, last };
    });
    expect(result.orders).toEqual({ total: 3, filled: 3, rejected: 0, cancelled: 0 });
    expect(result.open_positions.map((p) => p.symbol)).toEqual(['NVDA', 'ORCL', 'YHOO']);
    for (const e of expected) {
      const p = result.open_positions.find((q) => q.symbol === e.symbol);
      expect(p?.quantity).toBe(100);
      expect(Math.abs((p?.avg_price ?? NaN) - e.fill)).toBeLessThan(1e-9);
      expect(p?.last_price).toBe(e.last);
    }
    expect(Math.abs(result.cash - cash)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - (cash + value))).toBeLessThan(1e-6);
    // Pinned: 100 x (2.123457 + 1.770833 + 1.489583) x 1.0002 + $3 spent; 100 x (44.970001 + 20.049999 + 50.509998) held.
    expect(Math.abs(result.cash - 99_458.505_022_54)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - 111_011.504_822_54)).toBeLessThan(1e-6);
  });

  it('rejects the buy with a reason, not silently, when the cash does not cover it', async () => {
    const { result } = await backtest(config(['ORCL'], { position_size: 1_000_000 }));
    expect(result.orders).toEqual({ total: 1, filled: 0, rejected: 1, cancelled: 0 });
    expect(result.rejected_orders[0]).toMatchObject({
      symbol: 'ORCL',
      side: 'buy',
      quantity: 1_000_000,
      time: '1995-01-04T21:00:00.000Z',
    });
    expect(result.rejected_orders[0]?.reason).toMatch(/^insufficient cash: needs 2123457, has 100000$/);
    expect(result.open_positions).toEqual([]);
    expect(result.final_value).toBe(100_000);
  });

  it('exports its class and the common schema', () => {
    expect(BuyAndHoldStrategy.name).toBe('BuyAndHoldStrategy');
    expect(configSchema.parse({ symbols: ['ORCL'] })).toEqual({
      symbols: ['ORCL'],
      interval: '1d',
      position_size: 1,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no symbols', { symbols: [] }, /^strategies\[0\]\.config\.symbols: needs at least one symbol$/],
    [
      'a zero position size',
      { symbols: ['ORCL'], position_size: 0 },
      /^strategies\[0\]\.config\.position_size: Too small/,
    ],
    [
      'an unknown interval',
      { symbols: ['ORCL'], interval: '2d' },
      /^strategies\[0\]\.config\.interval: Invalid option/,
    ],
    [
      'a misspelt key',
      { symbols: ['ORCL'], positon_size: 5 },
      /^strategies\[0\]\.config: Unrecognized key: "positon_size"$/,
    ],
  ])('rejects a config with %s, naming the path', async (_what, strategyConfig, message) => {
    const cfg = {
      data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
      strategies: [{ module: 'strategies/examples/buy_and_hold', config: strategyConfig }],
    };
    const caught = await backtest(cfg).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG'), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
