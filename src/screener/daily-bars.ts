// Reads a ticker's daily bar file into the columns a screener reads.
import { SessionData } from '../data/session-data.ts';
import { utcStamper } from '../data/time-stamper.ts';
import { loadBarFile } from '../data/loaders/load.ts';
import type { DailyBars } from './types.ts';

/**
 * Reads a daily bar file (any format the loaders know) into columns. Rows are validated by the loader, so
 * a bad row fails the load with TF_ERR_DATA_ROW naming the file and line. Daily bars are stamped at
 * 21:00 UTC of their date, as the screeners only compare dates.
 */
export function readDailyBars(ticker: string, file: string, displayPath = file): DailyBars {
  const data = new SessionData();
  const report = loadBarFile(
    { file, displayPath, symbol: ticker, interval: '1d', stamper: utcStamper() },
    data,
  );
  const series = data.get(ticker, report.interval);
  const n = series?.written ?? 0;
  const bars = emptyBars(ticker, n);
  for (let i = 0; i < n && series; i++) {
    bars.time[i] = series.timeAt(i);
    bars.open[i] = series.openAt(i);
    bars.high[i] = series.highAt(i);
    bars.low[i] = series.lowAt(i);
    bars.close[i] = series.closeAt(i);
    bars.volume[i] = series.volumeAt(i);
  }
  return bars;
}

/** Returns zero-filled columns for `length` bars. */
export function emptyBars(ticker: string, length: number): DailyBars {
  return {
    ticker,
    length,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}
