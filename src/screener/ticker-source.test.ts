import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { bullishBreakout, bullishBreakoutSchema } from './bullish-breakout.ts';
import { evaluateTicker } from './evaluate-ticker.ts';
import { SCREENERS, screenerByName, screenerNames } from './registry.ts';
import {
  bundledTickerSource,
  FileTickerSource,
  SyntheticTickerSource,
  syntheticTicker,
} from './ticker-source.ts';
import type { ScreenerStrategy } from './types.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isTradeflowError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('FileTickerSource', () => {
  it('reads the bundled daily files, case-insensitively, once', () => {
    const source = bundledTickerSource();
    expect(source.tickers()).toEqual(['NVDA', 'ORCL', 'YHOO']);
    const orcl = source.load('orcl');
    expect(orcl.ticker).toBe('ORCL');
    expect([orcl.length, source.load('NVDA').length, source.load('YHOO').length]).toEqual([5036, 4012, 4713]);
    expect(new Date(orcl.time[0] as number).toISOString()).toBe('1995-01-03T21:00:00.000Z');
    expect(orcl.close[0]).toBe(2.117284);
    expect(orcl.volume[0]).toBe(36301200);
    expect(source.load('ORCL')).toBe(orcl);
    expect(source.has('Yhoo')).toBe(true);
    expect(source.has('MSFT')).toBe(false);
  });

  it('refuses an unknown ticker and a bad file with coded errors, and tries a failed file again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradeflow-tickers-'));
    writeFileSync(
      join(dir, 'bad.csv'),
      'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,0.5,1,1,1,100\n',
    );
    writeFileSync(join(dir, 'empty.csv'), '');
    const source = new FileTickerSource({ BAD: 'bad.csv', EMPTY: 'empty.csv', GONE: 'gone.csv' }, dir);
    expect(codeOf(() => source.load('MSFT'))).toBe('TF_ERR_TICKER_UNKNOWN');
    expect(() => source.load('MSFT')).toThrow('MSFT: unknown ticker; this server knows BAD, EMPTY, GONE');
    expect(codeOf(() => source.load('BAD'))).toBe('TF_ERR_DATA_ROW');
    expect(codeOf(() => source.load('EMPTY'))).toBe('TF_ERR_DATA_FILE');
    expect(codeOf(() => source.load('GONE'))).toBe('TF_ERR_DATA_FILE');
    writeFileSync(
      join(dir, 'gone.csv'),
      'Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,1,1,1,100\n',
    );
    expect(source.load('GONE').length).toBe(1);
  });
});

describe('SyntheticTickerSource', () => {
  const base = bundledTickerSource();
  const source = new SyntheticTickerSource(base, 500);

  it('adds SYN0001..SYN0500 to the base tickers', () => {
    expect(source.tickers()).toHaveLength(503);
    expect(source.tickers().slice(0, 4)).toEqual(['NVDA', 'ORCL', 'SYN0001', 'SYN0002']);
    expect(syntheticTicker(42)).toBe('SYN0042');
    expect(source.has('syn0500')).toBe(true);
    expect(source.has('SYN0501')).toBe(false);
    expect(source.has('ORCL')).toBe(true);
    expect(source.load('ORCL')).toBe(base.load('ORCL'));
    expect(codeOf(() => source.load('SYN0501'))).toBe('TF_ERR_TICKER_UNKNOWN');
    expect(codeOf(() => new SyntheticTickerSource(base, 10_000))).toBe('TF_ERR_CONFIG_INVALID');
  });

  it('builds each one deterministically from a base series: valid bars, scaled, ending on different dates', () => {
    const a = source.load('SYN0004');
    expect(source.load('SYN0004')).toEqual(a);
    // SYN0004 is the second pass over NVDA (the first base ticker): 5 bars shorter, prices scaled.
    const nvda = base.load('NVDA');
    expect(a.length).toBe(nvda.length - 5);
    const scale = (a.close[10] as number) / (nvda.close[10] as number);
    expect((a.close[100] as number) / (nvda.close[100] as number)).toBeCloseTo(scale, 12);
    for (let i = 0; i < a.length; i++) {
      expect(a.low[i]).toBeLessThanOrEqual(a.high[i] as number);
      expect(a.low[i]).toBeGreaterThan(0);
    }
    const lastDates = new Set(
      Array.from({ length: 60 }, (_, i) => {
        const bars = source.load(syntheticTicker(i + 1));
        return bars.time[bars.length - 1];
      }),
    );
    // 20 passes over the three bases, each 5 bars shorter; the three files share their trading days.
    expect(lastDates.size).toBe(20);
  });
});

describe('evaluateTicker and the registry', () => {
  it('records an unknown ticker or a throwing screener as that ticker error, never throws', () => {
    const config = bullishBreakoutSchema.parse({});
    const source = bundledTickerSource();
    expect(evaluateTicker(source, bullishBreakout, config, 'MSFT')).toEqual({
      ticker: 'MSFT',
      status: 'error',
      error: {
        code: 'TF_ERR_TICKER_UNKNOWN',
        message: 'MSFT: unknown ticker; this server knows NVDA, ORCL, YHOO',
      },
    });
    const broken: ScreenerStrategy = {
      name: 'broken',
      description: 'throws',
      configSchema: z.object({}),
      evaluate: () => {
        throw new RangeError('boom');
      },
    };
    expect(evaluateTicker(source, broken, {}, 'ORCL')).toEqual({
      ticker: 'ORCL',
      status: 'error',
      error: { code: 'TF_ERR_INTERNAL', message: 'ORCL: broken failed: boom' },
    });
    expect(evaluateTicker(source, bullishBreakout, config, 'ORCL')).toMatchObject({
      status: 'ok',
      result: { metrics: { date: '2014-12-31' } },
    });
  });

  it('finds screeners by name only', () => {
    expect(screenerNames()).toEqual(['bullish_breakout']);
    expect(screenerByName('bullish_breakout')).toBe(SCREENERS['bullish_breakout']);
    expect(screenerByName('toString')).toBeUndefined();
  });
});
