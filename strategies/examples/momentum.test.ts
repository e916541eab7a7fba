import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtest, ROOT } from '../../test/helpers.ts';

const rows = readFileSync(join(ROOT, 'data/daily/yhoo-1996-2014.txt'), 'utf8').trim().split('\n').slice(1);
const dates = rows.map((r) => r.split(',')[0]!);
const closes = rows.map((r) => Number(r.split(',')[4]));

describe('Momentum on YHOO daily bars', () => {
  it('enters only when the lookback return beats the threshold above the SMA, and exits when it turns negative', async () => {
    const { result, engine } = await backtest({
      data: [{ symbol: 'YHOO', file: 'data/daily/yhoo-1996-2014.txt' }],
      strategies: [
        {
          type: 'momentum',
          isolation: 'inline',
          config: { symbols: ['YHOO'], lookback: 20, entry_return: 0.1, position_size: 10 },
        },
      ],
    });
    const signals = engine.recorder.signals;
    expect(signals.length).toBeGreaterThan(20);
    for (const s of signals) {
      const i = dates.indexOf(new Date(s.ts).toISOString().slice(0, 10));
      const ret = closes[i]! / closes[i - 20]! - 1;
      const window = closes.slice(i - 19, i + 1);
      const sma = window.reduce((a, b) => a + b, 0) / 20;
      if (s.signal.action === 'BUY') {
        expect(ret).toBeGreaterThan(0.1);
        expect(closes[i]!).toBeGreaterThan(sma);
      } else expect(ret).toBeLessThan(0);
    }
    expect(result.trades.length).toBe(signals.filter((s) => s.signal.action === 'CLOSE').length);
  });
});
