// The bundled scheduled strategies on real 1-minute bars (the first 2,000 of the bundled FXY file): exact
// trades against a computation from the CSV, and tick_ma_cross on 1-minute ticks against simple_ma_cross.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrossOver } from '../../src/indicators/cross-over.ts';
import { Sma } from '../../src/indicators/sma.ts';
import { backtest, ROOT, tempFiles } from '../../test/helpers.ts';

const ROWS = 2000;
const MIN = 60_000;
const csv = readFileSync(join(ROOT, 'data/intraday/FXY_1min.csv'), 'utf8').split('\n');
const file = join(tempFiles({ 'FXY.csv': csv.slice(0, ROWS + 1).join('\n') + '\n' }), 'FXY.csv');

/** The rows as bars stamped at their close (a row's time is its open, read as UTC here). */
const bars = csv.slice(1, ROWS + 1).map((line) => {
  const [time = '', open = '', , , close = ''] = line.split(',');
  return {
    tsClose: Date.parse(`${time.replace(' ', 'T')}Z`) + MIN,
    open: Number(open),
    close: Number(close),
  };
});

const config = (strategies: readonly Record<string, unknown>[]) => ({
  data: [{ symbol: 'FXY', file, format: 'ohlcv', calendar: '24h', timezone: 'UTC' }],
  strategies: strategies.map((s) => ({ isolation: 'inline', ...s })),
});

const cross = (module: string, extra: Record<string, unknown> = {}) => ({
  module: `strategies/examples/${module}`,
  config: { symbols: ['FXY'], interval: '1m', fast_period: 8, slow_period: 21, position_size: 100 },
  ...extra,
});

/**
 * tick_ma_cross by hand: at each tick (multiples of `tickMs` from the first bar's close to the last's), the
 * latest bar closed by then is sampled when it is new; a cross of SMA(8) over SMA(21) of the samples buys
 * 100 when flat and closes when long; each order fills at the open of the first bar closing after the tick.
 */
function expectedTrades(tickMs: number) {
  const fast = new Sma(8);
  const slow = new Sma(21);
  const crossing = new CrossOver();
  const trades: { entry: number; entryPrice: number; exit: number; exitPrice: number }[] = [];
  let held = 0;
  let open: { entry: number; entryPrice: number } | undefined;
  let sampled = -1;
  let i = 0;
  const last = bars[bars.length - 1]!.tsClose;
  for (let t = Math.ceil(bars[0]!.tsClose / tickMs) * tickMs; t <= last; t += tickMs) {
    while (i + 1 < bars.length && bars[i + 1]!.tsClose <= t) i++;
    if (i === sampled) continue;
    sampled = i;
    const c = crossing.update(fast.update(bars[i]!.close), slow.update(bars[i]!.close));
    const next = bars.find((b) => b.tsClose > t);
    if (next === undefined) continue;
    if (held === 0 && c > 0) {
      held = 100;
      open = { entry: next.tsClose, entryPrice: next.open };
    } else if (held > 0 && c < 0) {
      held = 0;
      trades.push({ ...open!, exit: next.tsClose, exitPrice: next.open });
    }
  }
  return trades;
}

describe('tick strategies on 1-minute FXY bars', () => {
  it('tick_buy_and_hold on a 30s tick buys on the first tick and fills at the second bar’s open', async () => {
    const { result } = await backtest(
      config([
        {
          module: 'strategies/examples/tick_buy_and_hold',
          tick_interval: '30s',
          config: { symbols: ['FXY'], interval: '1m', position_size: 100 },
        },
      ]),
    );
    // The first row opens 13:05 (closes 13:06, a tick time); the second opens at 65.61.
    expect(bars[1]!.open).toBe(65.61);
    expect(result.open_positions).toEqual([
      {
        strategy: 'tick_buy_and_hold',
        symbol: 'FXY',
        quantity: 100,
        avg_price: 65.61,
        last_price: bars[ROWS - 1]!.close,
      },
    ]);
    expect(Math.round(result.cash * 100)).toBe(10_000_000 - 656_100);
  });

  it('tick_ma_cross on a 5m tick makes exactly the trades computed from the CSV', async () => {
    const { result } = await backtest(config([cross('tick_ma_cross', { tick_interval: '5m' })]));
    const expected = expectedTrades(5 * MIN);
    expect(expected.length).toBeGreaterThan(10);
    expect(
      result.trades.map((t) => ({
        entry: Date.parse(t.entry_time),
        entryPrice: t.entry_price,
        exit: Date.parse(t.exit_time),
        exitPrice: t.exit_price,
      })),
    ).toEqual(expected);
    // Net of no costs, in cents.
    const pnl = expected.reduce((sum, t) => sum + Math.round((t.exitPrice - t.entryPrice) * 100 * 100), 0);
    expect(Math.round(result.trades.reduce((s, t) => s + t.pnl, 0) * 100)).toBe(pnl);
  });

  it('tick_ma_cross on a 1m tick over 1m bars trades as simple_ma_cross does', async () => {
    const { result } = await backtest(
      config([cross('tick_ma_cross', { tick_interval: '1m' }), cross('simple_ma_cross')]),
    );
    const of = (name: string) =>
      result.trades.filter((t) => t.strategy === name).map(({ strategy: _s, ...t }) => t);
    expect(of('tick_ma_cross').length).toBeGreaterThan(20);
    expect(of('tick_ma_cross')).toEqual(of('simple_ma_cross'));
    expect(of('tick_ma_cross').length).toBe(expectedTrades(MIN).length);
  });
});
