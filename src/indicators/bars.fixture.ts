// Real bars for tests: reads the CSVs under data/ into plain columns, the series that indicator, feature
// and strategy tests check against.
import { readFileSync } from 'node:fs';

/** Holds one bar's prices in columns, as the tests feed them. */
export interface Bars {
  readonly date: readonly string[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
}

const dataRoot = new URL('../../data/', import.meta.url);

/** Reads a Yahoo daily CSV (`Date,Open,High,Low,Close,Adj Close,Volume`), keeping the plain OHLC. */
export function readYahooDaily(relativePath: string): Bars {
  return readCsv(relativePath, { date: 0, open: 1, high: 2, low: 3, close: 4, volume: 6 });
}

/** Reads a one-minute CSV (`timestamp,open,high,low,close,volume`, UTC). */
export function readMinuteBars(relativePath: string): Bars {
  return readCsv(relativePath, { date: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 });
}

function readCsv(relativePath: string, col: Record<keyof Bars, number>): Bars {
  const lines = readFileSync(new URL(relativePath, dataRoot), 'utf8').trim().split(/\r?\n/).slice(1);
  const date: string[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  const volume: number[] = [];
  for (const [i, line] of lines.entries()) {
    const fields = line.split(',');
    const num = (k: Exclude<keyof Bars, 'date'>): number => {
      const v = Number(fields[col[k]]);
      if (!Number.isFinite(v)) throw new Error(`${relativePath}:${i + 2}: bad ${k} in "${line}"`);
      return v;
    };
    date.push(fields[col.date] ?? '');
    open.push(num('open'));
    high.push(num('high'));
    low.push(num('low'));
    close.push(num('close'));
    volume.push(num('volume'));
  }
  return { date, open, high, low, close, volume };
}
