import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TradeflowError } from '../../core/errors.ts';
import { SessionData } from '../session-data.ts';
import { utcStamper } from '../time-stamper.ts';
import { type LoadOptions, type LoadReport, loadBarFile } from './load.ts';
import type { RowProblem } from './validate.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tf-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let tmpCount = 0;

function tempFile(text: string): string {
  const file = join(tmp, `bad-${++tmpCount}.txt`);
  writeFileSync(file, text);
  return file;
}

function load(file: string, options: Partial<LoadOptions> = {}): LoadReport {
  return loadBarFile({ file, displayPath: 'fixtures/bars.txt', symbol: 'X', stamper: utcStamper(), ...options }, new SessionData());
}

function errorOf(run: () => unknown): TradeflowError {
  try {
    run();
  } catch (e) {
    if (e instanceof TradeflowError) return e;
    throw e;
  }
  throw new Error('expected a TradeflowError');
}

const YAHOO = 'Date,Open,High,Low,Close,Adj Close,Volume';
const BACKTRADER = 'Date,Open,High,Low,Close,Volume,OpenInterest';
const OHLCV = 'timestamp,open,high,low,close,volume';

interface BadRow {
  readonly name: string;
  readonly header: string;
  /** Data rows; the bad one is always the second, on line 3, between two good ones. */
  readonly rows: readonly [string, string, string];
  readonly problem: RowProblem;
  readonly message: string;
}

const good = (date: string): string => `${date},10,11,9,10.5,10.4,1000`;

const BAD_ROWS: readonly BadRow[] = [
  { name: 'NaN', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,NaN,9,10.5,10.4,1000', good('2020-01-06')],
    problem: 'bad-number', message: 'High "NaN" is not a number' },
  { name: 'unparsable number', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,9,10.5x,10.4,1000', good('2020-01-06')],
    problem: 'bad-number', message: 'Close "10.5x" is not a number' },
  { name: 'empty number', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,9,10.5,10.4,', good('2020-01-06')],
    problem: 'bad-number', message: 'Volume "" is not a number' },
  { name: 'negative price', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,-10,11,9,10.5,10.4,1000', good('2020-01-06')],
    problem: 'non-positive-price', message: 'Open -10 is not positive' },
  { name: 'zero price', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,0,10.5,10.4,1000', good('2020-01-06')],
    problem: 'non-positive-price', message: 'Low 0 is not positive' },
  { name: 'high below low', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,2.15,2.1,2.2,2.15,2.15,100', good('2020-01-06')],
    problem: 'high-below-low', message: 'High 2.1 is below Low 2.2' },
  { name: 'close above high', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,9,11.01,11,1000', good('2020-01-06')],
    problem: 'close-outside-range', message: 'Close 11.01 is above High 11' },
  { name: 'close below low', header: OHLCV, rows: ['2024-01-02 10:00:00,10,11,9,10,5', '2024-01-02 10:01:00,10,11,9,8.99,5', '2024-01-02 10:02:00,10,11,9,10,5'],
    problem: 'close-outside-range', message: 'close 8.99 is below low 9' },
  { name: 'open below low', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,8.5,11,9,10,10,1000', good('2020-01-06')],
    problem: 'open-outside-range', message: 'Open 8.5 is below Low 9' },
  { name: 'open above high', header: BACKTRADER, rows: ['2006-01-02,09:01:00,10,11,9,10,5,0', '2006-01-02,09:02:00,12,11,9,10,5,0', '2006-01-02,09:03:00,10,11,9,10,5,0'],
    problem: 'open-outside-range', message: 'Open 12 is above High 11' },
  { name: 'negative volume', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,9,10.5,10.4,-1', good('2020-01-06')],
    problem: 'negative-volume', message: 'Volume -1 is negative' },
  { name: 'duplicate date', header: YAHOO, rows: [good('2020-01-02'), good('2020-01-02'), good('2020-01-06')],
    problem: 'duplicate-timestamp', message: 'Date 2020-01-02 repeats the time of line 2' },
  { name: 'duplicate timestamp', header: OHLCV, rows: ['2024-01-02 10:00:00,10,11,9,10,5', '2024-01-02 10:00:00,10,11,9,10,5', '2024-01-02 10:01:00,10,11,9,10,5'],
    problem: 'duplicate-timestamp', message: 'timestamp 2024-01-02 10:00:00 repeats the time of line 2' },
  { name: 'out of order', header: YAHOO, rows: [good('2020-01-02'), good('2020-01-01'), good('2020-01-06')],
    problem: 'out-of-order', message: 'Date 2020-01-01 is before 2020-01-02 on line 2; rows must be in time order' },
  { name: 'out of order time', header: BACKTRADER, rows: ['2006-01-02,09:05:00,10,11,9,10,5,0', '2006-01-02,09:04:00,10,11,9,10,5,0', '2006-01-02,09:06:00,10,11,9,10,5,0'],
    problem: 'out-of-order', message: 'Date,Time 2006-01-02,09:04:00 is before 2006-01-02,09:05:00 on line 2' },
  { name: 'too few fields', header: YAHOO, rows: [good('2020-01-02'), '2020-01-03,10,11,9,10.5,1000', good('2020-01-06')],
    problem: 'field-count', message: 'expected 7 fields (Date,Open,High,Low,Close,Adj Close,Volume), found 6' },
  { name: 'too many fields', header: OHLCV, rows: ['2024-01-02 10:00:00,10,11,9,10,5', '2024-01-02 10:01:00,10,11,9,10,5,7', '2024-01-02 10:02:00,10,11,9,10,5'],
    problem: 'field-count', message: 'expected 6 fields (timestamp,open,high,low,close,volume), found 7' },
  { name: 'impossible date', header: YAHOO, rows: [good('2020-01-02'), good('2020-02-30'), good('2020-03-02')],
    problem: 'bad-date', message: 'Date "2020-02-30" is not a valid date (YYYY-MM-DD)' },
  { name: 'misshapen date', header: YAHOO, rows: [good('2020-01-02'), good('2020/01/03'), good('2020-01-06')],
    problem: 'bad-date', message: 'Date "2020/01/03" is not a valid date' },
  { name: 'bad time', header: BACKTRADER, rows: ['2006-01-02,09:01:00,10,11,9,10,5,0', '2006-01-02,25:00:00,10,11,9,10,5,0', '2006-01-02,09:03:00,10,11,9,10,5,0'],
    problem: 'bad-time', message: 'Time "25:00:00" is not a valid time (HH:MM:SS)' },
  { name: 'date without a time', header: OHLCV, rows: ['2024-01-02 10:00:00,10,11,9,10,5', '2024-01-02,10,11,9,10,5', '2024-01-02 10:02:00,10,11,9,10,5'],
    problem: 'bad-time', message: 'timestamp "2024-01-02" is not a valid time (YYYY-MM-DD HH:MM:SS)' },
];

describe('a bad row', () => {
  for (const c of BAD_ROWS) {
    const file = (crlf: boolean): string => tempFile([c.header, ...c.rows].join(crlf ? '\r\n' : '\n') + '\n');

    it(`${c.name}: refuses the file with TF_ERR_DATA_ROW naming file, line, field and problem`, () => {
      const e = errorOf(() => load(file(false)));
      expect(e.code).toBe('TF_ERR_DATA_ROW');
      expect(e.message).toMatch(/^fixtures\/bars\.txt:3: /);
      expect(e.message).toContain(c.message);
      // CRLF files must give the same message: no stray \r in the echoed values.
      expect(errorOf(() => load(file(true))).message).toBe(e.message);
    });

    it(`${c.name}: is skipped and counted with onBadRow 'skip'`, () => {
      // Without the middle row the minute fixtures are two minutes apart, which no interval detection could name.
      const interval = c.header === YAHOO ? {} : { interval: '1m' as const };
      const report = load(file(false), { onBadRow: 'skip', ...interval });
      expect(report.rows).toBe(2);
      expect(report.skipped).toBe(1);
      expect(report.problems).toEqual({ [c.problem]: 1 });
    });
  }

  it('is named by its physical line number, counting blank lines', () => {
    const file = tempFile(`${YAHOO}\n\n${good('2020-01-02')}\n\n${good('2020-01-01')}\n`);
    expect(errorOf(() => load(file)).message).toMatch(/^fixtures\/bars\.txt:5: Date 2020-01-01 is before 2020-01-02 on line 3/);
  });

  it('does not become the reference for ordering when skipped', () => {
    const file = tempFile([YAHOO, good('2020-01-02'), '2020-01-09,10,9,11,10,10,1', good('2020-01-06')].join('\n'));
    const report = load(file, { onBadRow: 'skip' });
    expect(report).toMatchObject({ rows: 2, skipped: 1, problems: { 'high-below-low': 1 } });
  });

  it('refuses a local time its stamper cannot place (a DST gap) as a bad time', () => {
    const springForward = {
      ...utcStamper(),
      localToUtc: (y: number, mo: number, d: number, h: number, mi: number, s: number) =>
        h === 2 ? NaN : Date.UTC(y, mo - 1, d, h, mi, s),
    };
    const rows = ['2024-03-31,01:59:00', '2024-03-31,02:00:00', '2024-03-31,03:00:00'].map((t) => `${t},1,1,1,1,0,0`);
    const file = tempFile([BACKTRADER, ...rows].join('\n'));
    expect(errorOf(() => load(file, { stamper: springForward })).message).toBe(
      'fixtures/bars.txt:3: Time "02:00:00" is not a valid time (HH:MM:SS) in the source\'s time zone',
    );
  });

  it('counts several problems of several kinds in skip mode', () => {
    const rows = [good('2020-01-02'), good('2020-01-02'), good('2020-01-01'), '2020-01-03,0,1,1,1,1,1', good('2020-01-06'), 'x', good('2020-01-07')];
    const report = load(tempFile([YAHOO, ...rows].join('\n')), { onBadRow: 'skip' });
    expect(report.rows).toBe(3);
    expect(report.skipped).toBe(4);
    expect(report.problems).toEqual({ 'duplicate-timestamp': 1, 'out-of-order': 1, 'non-positive-price': 1, 'field-count': 1 });
  });
});

describe('a bad file', () => {
  const fileError = (file: string, options: Partial<LoadOptions> = {}): string => {
    const e = errorOf(() => load(file, options));
    expect(e.code).toBe('TF_ERR_DATA_FILE');
    return e.message;
  };

  it('empty: says the file is empty and what it needs', () => {
    expect(fileError(tempFile(''))).toMatch(/^fixtures\/bars\.txt: the file is empty; a bar file needs a header line/);
    expect(fileError(tempFile('\n \r\n'))).toMatch(/the file is empty/);
  });

  it('header only: says there are no data rows', () => {
    expect(fileError(tempFile(`${YAHOO}\r\n\r\n`))).toBe(
      'fixtures/bars.txt: has a header but no data rows; add bars to it or remove it from the data sources',
    );
  });

  it('unknown header: names the file and the known formats', () => {
    const message = fileError(tempFile('time;price;size\n2024-01-02 10:00:00;1;2\n'));
    expect(message).toMatch(/^fixtures\/bars\.txt:1: unknown bar file format, header "time;price;size"/);
    expect(message).toContain('yahoo (Date,Open,High,Low,Close,Adj Close,Volume)');
    expect(message).toContain('backtrader (');
    expect(message).toContain('ohlcv (timestamp,open,high,low,close,volume)');
  });

  it('missing: names the file and where it was looked for', () => {
    const missing = join(tmp, 'nope.csv');
    expect(fileError(missing)).toBe(`fixtures/bars.txt: file not found (looked for ${missing}); check the data source's path`);
  });

  it('a folder: says to name a file inside it', () => {
    const folder = join(tmp, 'folder');
    mkdirSync(folder);
    expect(fileError(folder)).toBe('fixtures/bars.txt: is a folder; name a bar file inside it');
  });

  it('every row skipped: refuses the file, since it yields no bars', () => {
    const file = tempFile(`${YAHOO}\n2020-01-02,0,1,1,1,1,1\n2020-01-03,1,1,2,1,1,1\n`);
    expect(fileError(file, { onBadRow: 'skip' })).toMatch(/no valid rows \(2 skipped: non-positive-price 1, high-below-low 1\)/);
  });

  it('intraday bars at no known spacing: asks for the interval', () => {
    const rows = ['10:00', '10:02', '10:04'].map((t) => `2024-01-02 ${t}:00,1,1,1,1,0`);
    expect(fileError(tempFile([OHLCV, ...rows].join('\n')))).toBe(
      'fixtures/bars.txt: cannot tell the bar interval: bars are most often 120 s apart, which is none of 1m, 5m, 15m, 30m, 1h; ' +
        'set the interval of this data source',
    );
    const oneADay = [OHLCV, '2024-01-02 10:00:00,1,1,1,1,0', '2024-01-03 10:00:00,1,1,1,1,0'].join('\n');
    expect(fileError(tempFile(oneADay))).toMatch(/cannot tell the bar interval: no day has two bars/);
    expect(load(tempFile(oneADay), { interval: '1h' }).rows).toBe(2);
  });

  it('date-only rows with an intraday interval: says they are daily bars', () => {
    expect(fileError(tempFile(`${YAHOO}\n${good('2020-01-02')}\n`), { interval: '1m' })).toMatch(
      /rows carry a date only, so they are daily bars, not 1m; set the interval to 1d or leave it out/,
    );
  });
});
