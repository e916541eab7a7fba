import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig } from '../../src/config/session-config.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { ROOT, wallTimeFree } from '../helpers.ts';

// The trades of an independent engine (backtrader 1.9.78.123) on the same file, copied into fixtures.
const refTrades = readFileSync(join(ROOT, 'test/fixtures/reference/trades.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [entryDate, entryPrice, exitDate, exitPrice, size, pnl, , barlen] = line.split(',');
    return {
      entryDate,
      entryPrice: Number(entryPrice),
      exitDate,
      exitPrice: Number(exitPrice),
      size: Number(size),
      pnl: Number(pnl),
      barlen: Number(barlen),
    };
  });
const refSummary = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/reference/summary.json'), 'utf8')) as {
  closed_trades: number;
  final_value: number;
  open_position_size: number;
  open_position_price: number;
};

const close = (a: number, b: number, rel = 1e-9) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('ORCL SMA(10/30) cross against the reference engine', () => {
  it('reproduces every trade, the open position and the final value exactly', async () => {
    const session = loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json'));
    const { result } = await runBacktestWithResult({ session, runId: 'ref', startedAt: 0 });
    expect(refTrades).toHaveLength(97);
    expect(result.trades).toHaveLength(refSummary.closed_trades);
    result.trades.forEach((t, i) => {
      const r = refTrades[i]!;
      expect({ i, entry: t.entry_time.slice(0, 10), exit: t.exit_time.slice(0, 10) }).toEqual({
        i,
        entry: r.entryDate,
        exit: r.exitDate,
      });
      // The reference prints 10 significant digits; the file's prices have at most 7.
      expect(close(t.entry_price, r.entryPrice), `trade ${i} entry ${t.entry_price} vs ${r.entryPrice}`).toBe(
        true,
      );
      expect(close(t.exit_price, r.exitPrice), `trade ${i} exit ${t.exit_price} vs ${r.exitPrice}`).toBe(
        true,
      );
      expect(t.quantity).toBe(r.size);
      expect(t.bars).toBe(r.barlen);
      expect(close(t.pnl, r.pnl, 1e-6)).toBe(true);
    });
    expect(result.open_positions).toEqual([
      expect.objectContaining({
        symbol: 'ORCL',
        quantity: refSummary.open_position_size,
        avg_price: refSummary.open_position_price,
      }),
    ]);
    expect(Math.abs(result.final_value - 100264.60652)).toBeLessThan(1e-6);
    expect(Math.abs(result.final_value - refSummary.final_value)).toBeLessThan(1e-6);
  });

  it('gives identical trades and equity when run twice', async () => {
    const session = loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json'));
    const a = await runBacktestWithResult({ session, runId: 'a', startedAt: 0 });
    const b = await runBacktestWithResult({ session, runId: 'b', startedAt: 0 });
    expect(wallTimeFree(b.result)).toEqual(wallTimeFree(a.result));
    expect(b.engine.recorder.equity).toEqual(a.engine.recorder.equity);
  });
});
