// The bar file formats tradeflow reads (yahoo, backtrader, ohlcv): telling them apart from the first lines,
// and where each value sits in a row.
import { escapeText } from '../../core/escape.ts';
import { TradeflowError } from '../../core/errors.ts';

/** A bar file format tradeflow can read. */
export type DataFormat = 'yahoo' | 'backtrader' | 'ohlcv';

/** Every known bar file format, in the order they are tried. */
export const DATA_FORMATS: readonly DataFormat[] = ['yahoo', 'backtrader', 'ohlcv'];

/** Where each value sits in a row of one file; decided once per file, then used for every row. */
export interface RowLayout {
  readonly format: DataFormat;
  /** Fields every row must have. */
  readonly fieldCount: number;
  /** Column names as written in messages, one per field. */
  readonly columns: readonly string[];
  /** How the row's time is written: date only, date and time in two fields, or both in one field. */
  readonly time: 'date' | 'date+time' | 'datetime';
  /** Field indexes of open, high, low, close and volume. */
  readonly priceFields: readonly [number, number, number, number, number];
}

const YAHOO: RowLayout = {
  format: 'yahoo',
  fieldCount: 7,
  columns: ['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'],
  time: 'date',
  // Adj Close (field 5) is deliberately not read: it is dividend-adjusted and would not match Open/High/Low.
  priceFields: [1, 2, 3, 4, 6],
};

const BACKTRADER_INTRADAY: RowLayout = {
  format: 'backtrader',
  fieldCount: 8,
  columns: ['Date', 'Time', 'Open', 'High', 'Low', 'Close', 'Volume', 'OpenInterest'],
  time: 'date+time',
  priceFields: [2, 3, 4, 5, 6],
};

const BACKTRADER_DAILY: RowLayout = {
  format: 'backtrader',
  fieldCount: 7,
  columns: ['Date', 'Open', 'High', 'Low', 'Close', 'Volume', 'OpenInterest'],
  time: 'date',
  priceFields: [1, 2, 3, 4, 5],
};

const OHLCV: RowLayout = {
  format: 'ohlcv',
  fieldCount: 6,
  columns: ['timestamp', 'open', 'high', 'low', 'close', 'volume'],
  time: 'datetime',
  priceFields: [1, 2, 3, 4, 5],
};

/** Normalised headers (lower case, no spaces) that identify each format. */
const HEADERS: readonly (readonly [string, DataFormat])[] = [
  ['date,open,high,low,close,adjclose,volume', 'yahoo'],
  // backtrader's own sample files name 7 columns yet write Date,Time,... in 8 fields: the data line decides.
  ['date,open,high,low,close,volume,openinterest', 'backtrader'],
  ['date,time,open,high,low,close,volume,openinterest', 'backtrader'],
  ['timestamp,open,high,low,close,volume', 'ohlcv'],
];

const EXAMPLE_HEADERS: Readonly<Record<DataFormat, string>> = {
  yahoo: 'Date,Open,High,Low,Close,Adj Close,Volume',
  backtrader: 'Date,Time,Open,High,Low,Close,Volume,OpenInterest',
  ohlcv: 'timestamp,open,high,low,close,volume',
};

function normaliseHeader(line: string): string {
  return line.replace(/^\uFEFF/, '').replace(/[\s"]/g, '').toLowerCase();
}

function fieldCount(line: string): number {
  let n = 1;
  for (let i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) n++;
  return n;
}

/** Names the format of a bar file from its header line; throws TF_ERR_DATA_FILE listing the known formats. */
export function detectFormat(headerLine: string, firstDataLine: string | undefined, displayPath: string): DataFormat {
  const header = normaliseHeader(headerLine);
  for (const [known, format] of HEADERS) if (header === known) return format;
  const known = DATA_FORMATS.map((f) => `${f} (${EXAMPLE_HEADERS[f]})`).join('; ');
  const sample = firstDataLine === undefined ? '' : `; its first data line has ${fieldCount(firstDataLine)} fields`;
  throw new TradeflowError(
    'TF_ERR_DATA_FILE',
    `${displayPath}:1: unknown bar file format, header "${escapeText(headerLine.trim(), 80)}"${sample}. ` +
      `Known formats and their headers: ${known}. Give the file one of these headers or set its format.`,
  );
}

/**
 * Returns the row layout of a format. A backtrader header naming Time means 8 fields; one that does not is
 * trusted only as far as the first data line confirms it, because backtrader's own files get it wrong.
 */
export function layoutOf(format: DataFormat, headerLine: string, firstDataLine: string | undefined): RowLayout {
  switch (format) {
    case 'yahoo':
      return YAHOO;
    case 'backtrader': {
      if (normaliseHeader(headerLine).startsWith('date,time,')) return BACKTRADER_INTRADAY;
      const fields = firstDataLine === undefined ? 0 : fieldCount(firstDataLine);
      return fields === BACKTRADER_DAILY.fieldCount ? BACKTRADER_DAILY : BACKTRADER_INTRADAY;
    }
    case 'ohlcv':
      return OHLCV;
  }
}
