import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { backtest, ROOT } from '../../test/helpers.ts';
import { configSchema } from './vwap.ts';

// A European index future in one-minute bars, 41 sessions in Jan-Feb 2006, written in exchange-local
// time and stamped at the bar close; rows are `Date,Time,Open,High,Low,Close,Volume,OpenInterest`.
const FILE = 'data/intraday/2006-01-02-volume-min-001.txt';
const CALENDAR = { name: 'eu_index_future', timezone: 'Europe/Berlin', open: '09:00', close: '22:00' };

const config = (strategyConfig: Readonly<Record<string, unknown>>) => ({
  data: [{ symbol: 'FDAX', file: FILE, calendar: CALENDAR }],
  strategies: [{ module: 'strategies/examples/vwap', config: { symbols: ['FDAX'], ...strategyConfig } }],
});

interface Row {
  readonly date: string;
  /** The close time in UTC: Berlin is UTC+1 all through January and February 2006 (no DST). */
  readonly iso: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

function readRows(): Row[] {
  return readFileSync(join(ROOT, FILE), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [date = '', time = '', o, h, l, c, v] = line.split(',');
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
      const [hh, mi] = time.split(':').map(Number) as [number, number];
      if (date >= '2006-03-26')
        throw new Error(`${date} is in summer time; the UTC+1 shortcut no longer holds`);
      const iso = new Date(Date.UTC(y, mo - 1, d, hh, mi) - 3_600_000).toISOString();
      return {
        date,
        iso,
        open: Number(o),
        high: Number(h),
        low: Number(l),
        close: Number(c),
        volume: Number(v),
      };
    });
}

/**
 * Replays the strategy by hand: a VWAP of the typical price restarted on each new date, a buy when flat
 * and the close is `entryBps` above it, a close when long and the close is below it or (optionally) on
 * the first bar of a new session, each filled at the next row's open.
 */
function handTrades(entryBps: number, exitOnNewSession: boolean) {
  const rows = readRows();
  const trades: { entry: string; entryPrice: number; exit: string; exitPrice: number }[] = [];
  let pv = 0;
  let vol = 0;
  let entry: { iso: string; price: number } | undefined;
  for (let i = 0; i + 1 < rows.length; i++) {
    const r = rows[i]!;
    const next = rows[i + 1]!;
    const newSession = i === 0 || rows[i - 1]!.date !== r.date;
    if (newSession) pv = vol = 0;
    pv += ((r.high + r.low + r.close) / 3) * r.volume;
    vol += r.volume;
    const vwap = vol > 0 ? pv / vol : NaN;
    let buy = false;
    let close = false;
    if (entry && newSession && exitOnNewSession) close = true;
    else if (Number.isNaN(vwap)) continue;
    else if (!entry && r.close > vwap * (1 + entryBps / 10_000)) buy = true;
    else if (entry && r.close < vwap) close = true;
    if (buy) entry = { iso: next.iso, price: next.open };
    if (close && entry) {
      trades.push({ entry: entry.iso, entryPrice: entry.price, exit: next.iso, exitPrice: next.open });
      entry = undefined;
    }
  }
  return { trades, open: entry, lastClose: rows[rows.length - 1]!.close };
}

const summary = (
  trades: readonly { entry_time: string; entry_price: number; exit_time: string; exit_price: number }[],
) => trades.map((t) => [t.entry_time, t.entry_price, t.exit_time, t.exit_price]);

describe('vwap on real one-minute bars (index future, 41 sessions, defaults: 1m, 10 bps, exit on new session)', () => {
  it('pins the trade count, the first trades, the open position and the final value', async () => {
    const { result } = await backtest(config({}));
    expect(result.data[0]).toMatchObject({ format: 'backtrader', interval: '1m', rows: 30_889, skipped: 0 });
    expect(result.trades).toHaveLength(129);
    expect(summary(result.trades.slice(0, 3))).toEqual([
      ['2006-01-02T08:16:00.000Z', 3604, '2006-01-02T10:18:00.000Z', 3608],
      ['2006-01-02T10:55:00.000Z', 3613, '2006-01-02T11:53:00.000Z', 3610],
      // Held past the close: the first bar of the next session (09:01) raises the close, filled at 09:02.
      ['2006-01-02T14:20:00.000Z', 3613, '2006-01-03T08:02:00.000Z', 3624],
    ]);
    expect(result.open_positions).toEqual([
      { strategy: 'vwap', symbol: 'FDAX', quantity: 1, avg_price: 3840, last_price: 3838 },
    ]);
    expect(result.orders).toEqual({ total: 259, filled: 259, rejected: 0, cancelled: 0 });
    expect(Math.abs(result.cash - 96_268)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - 100_106)).toBeLessThan(1e-6);
  });

  it.each([
    [10, true],
    [10, false],
    [25, true],
  ])(
    'trades exactly where a VWAP computed by hand from the file says (entry_bps %d, exit_on_new_session %s)',
    async (bps, exitOnNew) => {
      const { result } = await backtest(config({ entry_bps: bps, exit_on_new_session: exitOnNew }));
      const hand = handTrades(bps, exitOnNew);
      expect(hand.trades.length).toBeGreaterThan(50);
      expect(summary(result.trades)).toEqual(
        hand.trades.map((t) => [t.entry, t.entryPrice, t.exit, t.exitPrice]),
      );
      expect(result.open_positions.map((p) => p.avg_price)).toEqual(hand.open ? [hand.open.price] : []);
      const realized = hand.trades.reduce((sum, t) => sum + (t.exitPrice - t.entryPrice), 0);
      const held = hand.open ? hand.lastClose - hand.open.price : 0;
      expect(Math.abs(result.final_value - (100_000 + realized + held))).toBeLessThan(1e-6);
    },
  );

  it('refuses to start on daily bars, says why, and lets the other strategies run', async () => {
    const cfg = {
      data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
      strategies: [
        { module: 'strategies/examples/vwap', config: { symbols: ['ORCL'], interval: '1d' } },
        { module: 'strategies/examples/buy_and_hold', config: { symbols: ['ORCL'] } },
      ],
    };
    const { result, log } = await backtest(cfg);
    expect(result.strategies.map((s) => [s.name, s.status, s.reason])).toEqual([
      ['buy_and_hold', 'ran', undefined],
      ['vwap', 'not_started', 'setup returned false'],
    ]);
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      'vwap: VWAP is anchored to the session, so it needs intraday bars, not 1d',
      'strategy vwap did not start: setup returned false',
    ]);
    const alone = await backtest({ ...cfg, strategies: cfg.strategies.slice(0, 1) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(alone, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((alone as Error).message).toBe('no strategy started (vwap: setup returned false)');
  });

  it('applies its defaults: one-minute bars, 10 bps, exit on a new session', () => {
    expect(configSchema.parse({ symbols: ['FDAX'] })).toEqual({
      symbols: ['FDAX'],
      interval: '1m',
      position_size: 1,
      entry_bps: 10,
      exit_on_new_session: true,
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'negative entry_bps',
      { entry_bps: -1 },
      /^strategies\[0\]\.config\.entry_bps: Too small: expected number to be >=0$/,
    ],
    [
      'a text flag',
      { exit_on_new_session: 'yes' },
      /^strategies\[0\]\.config\.exit_on_new_session: Invalid input: expected boolean, received string$/,
    ],
    ['an unknown interval', { interval: '2m' }, /^strategies\[0\]\.config\.interval: Invalid option/],
    [
      'symbols as a string',
      { symbols: 'FDAX' },
      /^strategies\[0\]\.config\.symbols: Invalid input: expected array, received string$/,
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
