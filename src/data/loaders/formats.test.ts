import { describe, expect, it } from 'vitest';
import { TradeflowError } from '../../core/errors.ts';
import { DATA_FORMATS, detectFormat, layoutOf } from './formats.ts';

describe('detectFormat', () => {
  it('knows a Yahoo daily header', () => {
    expect(detectFormat('Date,Open,High,Low,Close,Adj Close,Volume', '1995-01-03,2.17,2.19,2.11,2.11,1.88,36301200', 'f')).toBe('yahoo');
  });

  it('knows both backtrader headers, including the one that names 7 columns for 8 fields', () => {
    expect(detectFormat('Date,Open,High,Low,Close,Volume,OpenInterest\r', '2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0', 'f')).toBe('backtrader');
    expect(detectFormat('Date,Time,Open,High,Low,Close,Volume,OpenInterest', '2006-01-02,09:05:00,1,1,1,1,0,0', 'f')).toBe('backtrader');
  });

  it('knows an ohlcv header', () => {
    expect(detectFormat('timestamp,open,high,low,close,volume', '2023-07-10 13:30:00,17.9,17.91,17.9,17.91,3057', 'f')).toBe('ohlcv');
  });

  it('ignores case, spaces, quotes and a byte-order mark', () => {
    expect(detectFormat('\uFEFF"Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"', undefined, 'f')).toBe('yahoo');
    expect(detectFormat('TIMESTAMP,Open,High,Low,Close,Volume', undefined, 'f')).toBe('ohlcv');
  });

  it('refuses an unknown header with TF_ERR_DATA_FILE naming the file and every known format', () => {
    let error: unknown;
    try {
      detectFormat('time,price,size', '2023-07-10 13:30:00,17.9,100', 'data/x.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TradeflowError);
    const e = error as TradeflowError;
    expect(e.code).toBe('TF_ERR_DATA_FILE');
    expect(e.message).toContain('data/x.csv:1: unknown bar file format, header "time,price,size"');
    expect(e.message).toContain('first data line has 3 fields');
    for (const format of DATA_FORMATS) expect(e.message).toContain(format);
  });

  it('refuses a data line taken for a header', () => {
    expect(() => detectFormat('2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0', undefined, 'f')).toThrow(/unknown bar file format/);
  });
});

describe('layoutOf', () => {
  it('reads Yahoo Open/High/Low/Close/Volume and leaves Adj Close alone', () => {
    const layout = layoutOf('yahoo', 'Date,Open,High,Low,Close,Adj Close,Volume', undefined);
    expect(layout.priceFields.map((i) => layout.columns[i])).toEqual(['Open', 'High', 'Low', 'Close', 'Volume']);
  });

  it('lets the data line decide between backtrader daily and intraday rows when the header names 7 columns', () => {
    const seven = 'Date,Open,High,Low,Close,Volume,OpenInterest';
    expect(layoutOf('backtrader', seven, '2006-01-02,09:01:00,1,1,1,1,5,0').time).toBe('date+time');
    expect(layoutOf('backtrader', seven, '2006-01-02,1,1,1,1,5,0').time).toBe('date');
  });

  it('trusts a backtrader header that names Time', () => {
    const layout = layoutOf('backtrader', 'Date,Time,Open,High,Low,Close,Volume,OpenInterest', '2006-01-02,1,1,1,1,5,0');
    expect(layout.fieldCount).toBe(8);
  });
});
