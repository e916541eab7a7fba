import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../model/bar.ts';
import { SessionData } from '../session-data.ts';
import type { TimeStamper } from '../time-stamper.ts';
import { utcStamper } from '../time-stamper.ts';
import type { LoadOptions, LoadReport } from './load.ts';
import { loadBarFile } from './load.ts';

const dataFile = (path: string): string => fileURLToPath(new URL(`../../../data/${path}`, import.meta.url));
const utc = (s: string): number => Date.parse(`${s.replace(' ', 'T')}Z`);
const tmp = mkdtempSync(join(tmpdir(), 'tf-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let tmpCount = 0;

function tempFile(text: string): string {
  const file = join(tmp, `bars-${++tmpCount}.txt`);
  writeFileSync(file, text);
  return file;
}

/** Loads into a fresh session and returns the report with the first and last bar (published for reading). */
function load(options: Partial<LoadOptions> & { file: string }): { report: LoadReport; first: Bar; last: Bar; data: SessionData } {
  const data = new SessionData();
  const report = loadBarFile({ symbol: 'X', stamper: utcStamper(), ...options }, data);
  const series = data.get('X', report.interval);
  if (!series) throw new Error('no series');
  series.publishTo(series.written);
  const view = data.view('X', report.interval);
  return { report, first: view.bar(0) as Bar, last: view.bar(-1) as Bar, data };
}

const bar = (ts: string, open: number, high: number, low: number, close: number, volume: number): Bar => ({
  tsClose: utc(ts),
  open,
  high,
  low,
  close,
  volume,
});

describe('bundled real files, strict validation', () => {
  const cases: readonly {
    path: string;
    format: string;
    interval: string;
    rows: number;
    first: Bar;
    last: Bar;
  }[] = [
    // Yahoo: daily bars at the session close (utcStamper's 21:00); Open/High/Low/Close as written, not Adj Close.
    { path: 'daily/orcl-1995-2014.txt', format: 'yahoo', interval: '1d', rows: 5036,
      first: bar('1995-01-03 21:00', 2.179012, 2.191358, 2.117284, 2.117284, 36301200),
      last: bar('2014-12-31 21:00', 45.450001, 45.560001, 44.970001, 44.970001, 13269200) },
    { path: 'daily/nvda-1999-2014.txt', format: 'yahoo', interval: '1d', rows: 4012,
      first: bar('1999-01-22 21:00', 1.75, 1.953125, 1.552083, 1.640625, 67867200),
      last: bar('2014-12-31 21:00', 20.4, 20.51, 19.99, 20.049999, 4157500) },
    { path: 'daily/yhoo-1996-2014.txt', format: 'yahoo', interval: '1d', rows: 4713,
      first: bar('1996-04-12 21:00', 1.052083, 1.791667, 1.020833, 1.375, 408720000),
      last: bar('2014-12-31 21:00', 51.540001, 51.68, 50.459999, 50.509998, 9305000) },
    // backtrader: stamped at the close as written.
    { path: 'intraday/2006-01-02-volume-min-001.txt', format: 'backtrader', interval: '1m', rows: 30889,
      first: bar('2006-01-02 09:01', 3602, 3603, 3597, 3599, 5699),
      last: bar('2006-02-27 22:00', 3840, 3840, 3838, 3838, 327) },
    { path: 'intraday/2006-min-005.txt', format: 'backtrader', interval: '5m', rows: 2142,
      first: bar('2006-01-02 09:05', 3578.73, 3587.88, 3578.73, 3582.99, 0),
      last: bar('2006-01-30 17:30', 3679.29, 3679.4, 3676.31, 3677.52, 0) },
    // ohlcv: written at the open, so the close stamp is one minute later.
    { path: 'intraday/DBB_1min.csv', format: 'ohlcv', interval: '1m', rows: 38964,
      first: bar('2023-07-10 13:31', 17.9, 17.91, 17.9, 17.91, 3057),
      last: bar('2025-07-08 19:57', 19.09, 19.1, 19.01, 19.01, 2217) },
    { path: 'intraday/INDA_1min.csv', format: 'ohlcv', interval: '1m', rows: 66269,
      first: bar('2023-07-10 10:11', 43.58, 43.58, 43.58, 43.58, 250),
      last: bar('2025-06-24 14:30', 54.725, 54.725, 54.715, 54.715, 5410) },
    { path: 'intraday/FXY_1min.csv', format: 'ohlcv', interval: '1m', rows: 78974,
      first: bar('2023-07-10 13:06', 65.36, 65.36, 65.36, 65.36, 200),
      last: bar('2025-07-08 22:47', 62.82, 62.82, 62.82, 62.82, 500) },
  ];

  for (const c of cases) {
    it(`loads every row of ${c.path}`, () => {
      const { report, first, last, data } = load({ file: dataFile(c.path), displayPath: `data/${c.path}` });
      expect(report).toEqual({
        file: `data/${c.path}`,
        symbol: 'X',
        format: c.format,
        interval: c.interval,
        rows: c.rows,
        skipped: 0,
        problems: {},
        firstSkipped: [],
        firstTs: c.first.tsClose,
        lastTs: c.last.tsClose,
      });
      expect(first).toEqual(c.first);
      expect(last).toEqual(c.last);
      expect(data.all().map((s) => s.written)).toEqual([c.rows]);
    });
  }
});

describe('loadBarFile', () => {
  it('writes bars without publishing them', () => {
    const data = new SessionData();
    const report = loadBarFile({ file: dataFile('intraday/2006-min-005.txt'), symbol: 'FDAX', stamper: utcStamper() }, data);
    const series = data.get('FDAX', '5m');
    expect(series?.written).toBe(report.rows);
    expect(series?.length).toBe(0);
    expect(report.file).toBe(dataFile('intraday/2006-min-005.txt'));
  });

  it('stamps daily rows with the stamper session close and intraday rows with localToUtc', () => {
    const hourAhead: TimeStamper = {
      localToUtc: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h - 1, mi, s),
      sessionCloseUtc: (y, mo, d) => Date.UTC(y, mo - 1, d, 16, 30),
    };
    const daily = load({ file: dataFile('daily/orcl-1995-2014.txt'), stamper: hourAhead });
    expect(daily.report.firstTs).toBe(utc('1995-01-03 16:30'));
    const minute = load({ file: dataFile('intraday/2006-01-02-volume-min-001.txt'), stamper: hourAhead });
    expect(minute.report.firstTs).toBe(utc('2006-01-02 08:01'));
  });

  it('lets `stamp` override the format default in both directions', () => {
    expect(load({ file: dataFile('intraday/DBB_1min.csv'), stamp: 'close' }).report.firstTs).toBe(utc('2023-07-10 13:30'));
    expect(load({ file: dataFile('intraday/2006-min-005.txt'), stamp: 'open' }).report.firstTs).toBe(utc('2006-01-02 09:10'));
    expect(load({ file: dataFile('daily/nvda-1999-2014.txt'), stamp: 'open' }).report.firstTs).toBe(utc('1999-01-22 21:00'));
  });

  it('takes a given interval instead of detecting it, and shifts open stamps by it', () => {
    const { report } = load({ file: dataFile('intraday/2006-min-005.txt'), interval: '15m', stamp: 'open' });
    expect(report.interval).toBe('15m');
    expect(report.firstTs).toBe(utc('2006-01-02 09:20'));
  });

  it('takes a given format without checking the header', () => {
    const file = tempFile('time,o,h,l,c,v\n2024-01-02 10:00:00,1,2,1,2,5\n2024-01-02 10:15:00,2,2,1,1,5\n');
    const { report } = load({ file, format: 'ohlcv' });
    expect(report).toMatchObject({ format: 'ohlcv', interval: '15m', rows: 2, lastTs: utc('2024-01-02 10:30') });
  });

  it('detects the most common spacing within a day, ignoring nights and missing bars', () => {
    const rows = ['09:00', '10:00', '12:00', '13:00', '14:00'].map((t) => `2024-01-02 ${t}:00,1,1,1,1,0`);
    const nextDay = ['2024-01-03 09:00:00,1,1,1,1,0', '2024-01-03 09:30:00,1,1,1,1,0'];
    const file = tempFile(['timestamp,open,high,low,close,volume', ...rows, ...nextDay].join('\n'));
    expect(load({ file }).report.interval).toBe('1h');
  });

  it('reads backtrader daily rows (7 fields, date only) as 1d bars at the session close', () => {
    const file = tempFile('Date,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,10,11,9,10,100,0\n2006-01-03,10,11,9,10,100,0\n');
    const { report } = load({ file });
    expect(report).toMatchObject({ format: 'backtrader', interval: '1d', rows: 2, firstTs: utc('2006-01-02 21:00') });
  });

  it('accepts CRLF line endings, a byte-order mark, and blank lines around the rows', () => {
    const text = '\uFEFFDate,Open,High,Low,Close,Adj Close,Volume\r\n2020-01-02,10,11,9,10.5,10.4,1000\r\n\r\n2020-01-03,10,11,9,10.5,10.4,1000\r\n\r\n\r\n';
    const { report, last } = load({ file: tempFile(text) });
    expect(report.rows).toBe(2);
    expect(last.volume).toBe(1000);
  });

  it('appends a later file to a series already loaded', () => {
    const header = 'timestamp,open,high,low,close,volume\n';
    const a = tempFile(`${header}2024-01-02 10:00:00,1,1,1,1,0\n2024-01-02 10:01:00,1,1,1,1,0\n`);
    const b = tempFile(`${header}2024-01-03 10:00:00,1,1,1,1,0\n2024-01-03 10:01:00,1,1,1,1,0\n`);
    const data = new SessionData();
    const options = { symbol: 'X', stamper: utcStamper() } as const;
    loadBarFile({ ...options, file: a }, data);
    loadBarFile({ ...options, file: b }, data);
    expect(data.get('X', '1m')?.written).toBe(4);
    expect(() => loadBarFile({ ...options, file: a, displayPath: 'a.csv' }, data)).toThrow(
      /^a\.csv: its first bar \(2024-01-02T10:01:00.000Z\) is not after the last bar already loaded for X@1m/,
    );
  });

  it('returns equal reports and bars when the same file is loaded twice', () => {
    const one = load({ file: dataFile('intraday/INDA_1min.csv') });
    const two = load({ file: dataFile('intraday/INDA_1min.csv') });
    expect(two.report).toEqual(one.report);
    const view = (d: SessionData) => d.view('X', '1m');
    expect(view(two.data).last('close', 70_000)).toEqual(view(one.data).last('close', 70_000));
    expect(view(two.data).last('time', 70_000)).toEqual(view(one.data).last('time', 70_000));
  });
});
