// Loads one bar file into a session's data: detects format and interval, reads and checks the rows,
// stamps each bar with its close, and reports what it did.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TradeflowError } from '../../core/errors.ts';
import type { Interval } from '../../model/interval.ts';
import { intervalMs } from '../../model/interval.ts';
import type { SessionData } from '../session-data.ts';
import type { TimeStamper } from '../time-stamper.ts';
import type { DataFormat, RowLayout } from './formats.ts';
import { detectFormat, layoutOf } from './formats.ts';
import { detectInterval } from './interval.ts';
import type { ParsedRows, SkippedRow } from './read-rows.ts';
import { lineAt, lineEnd, readRows } from './read-rows.ts';

/** How to load one bar file into a session. */
export interface LoadOptions {
  /** Path to read. */
  readonly file: string;
  /** How to name the file in messages (default: `file`). */
  readonly displayPath?: string;
  readonly symbol: string;
  /** Detected from the header when absent; when given, the header is not checked. */
  readonly format?: DataFormat;
  /** Detected from the bar spacing when absent; date-only rows are always `1d`. */
  readonly interval?: Interval;
  /** What to do with a row that breaks a rule (default 'error'). */
  readonly onBadRow?: 'error' | 'skip';
  /** Whether a row's time is its bar's open or close (see defaultStamp); ignored for date-only rows. */
  readonly stamp?: 'open' | 'close';
  /** Turns the file's local times into UTC; a function receives the format (known only after detection). */
  readonly stamper: TimeStamper | ((format: DataFormat) => TimeStamper);
  /**
   * Keeps only the bars that close in [fromMs, untilMs) (epoch ms UTC): a live session's history ends where
   * its feed starts, and a replay plays from there. Every row is still read and checked, and the interval
   * detected from all of them, so a window never changes a bar.
   */
  readonly window?: { readonly fromMs?: number; readonly untilMs?: number };
}

/** What a load did. */
export interface LoadReport {
  readonly file: string;
  readonly symbol: string;
  readonly format: DataFormat;
  readonly interval: Interval;
  /** Bars written (within the window, when one is given). */
  readonly rows: number;
  /** Rows skipped (onBadRow 'skip'). */
  readonly skipped: number;
  /** Skipped rows by problem kind (see ROW_PROBLEMS). */
  readonly problems: Readonly<Record<string, number>>;
  /** The first skipped rows by line (at most 5), so that a warning can say where they were. */
  readonly firstSkipped: readonly SkippedRow[];
  /** Close time of the first and last bar written, epoch ms UTC (NaN both when a window kept none). */
  readonly firstTs: number;
  readonly lastTs: number;
}

/**
 * Returns what a load skipped, for a warning: how many rows, by problem, and the lines of the first ones
 * (`data/x.csv: skipped 3 rows (bad-number 2, non-positive-price 1); first at lines 4 (bad-number), ...`);
 * undefined when nothing was skipped.
 */
export function skippedRowsNote(report: LoadReport): string | undefined {
  if (report.skipped === 0) return undefined;
  const kinds = Object.entries(report.problems)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const lines = report.firstSkipped.map((r) => `${r.line} (${r.problem})`).join(', ');
  const more = report.skipped > report.firstSkipped.length ? ', ...' : '';
  const rows = report.skipped === 1 ? 'row' : 'rows';
  const at = report.skipped === 1 ? 'at line' : 'first at lines';
  return (
    `${report.file}: skipped ${report.skipped} bad ${rows} (${kinds}) as on_bad_row "skip" says; ${at} ${lines}${more}; ` +
    `${report.rows} rows loaded`
  );
}

/** Returns whether a format's times mark the bar open or close when LoadOptions.stamp is absent. */
export function defaultStamp(format: DataFormat): 'open' | 'close' {
  switch (format) {
    // These minute files are stamped at the open: their heaviest minute is 19:59 UTC in summer, the
    // last minute before the 20:00 close, and volume is thin from 20:00 on.
    case 'ohlcv':
      return 'open';
    case 'yahoo':
    case 'backtrader':
      return 'close';
  }
}

interface Head {
  readonly line: string;
  readonly lineNo: number;
  readonly bodyStart: number;
  readonly firstDataLine: string | undefined;
}

function readText(file: string, displayPath: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `file not found (looked for ${resolve(file)}); check the data source's path`
        : code === 'EISDIR'
          ? 'is a folder; name a bar file inside it'
          : `cannot be read (${e instanceof Error ? e.message : String(e)}); check the file's permissions`;
    throw new TradeflowError('TF_ERR_DATA_FILE', `${displayPath}: ${why}`, { cause: e });
  }
}

/** Finds the header (the first non-blank line) and the first data line after it. */
function readHead(text: string, displayPath: string): Head {
  let lineNo = 0;
  let start = 0;
  let header: { line: string; lineNo: number; bodyStart: number } | undefined;
  while (start < text.length) {
    lineNo++;
    const line = lineAt(text, start);
    start = lineEnd(text, start);
    if (line.trim() === '') continue;
    if (header === undefined) header = { line, lineNo, bodyStart: start };
    else return { ...header, firstDataLine: line };
  }
  if (header === undefined) {
    throw new TradeflowError(
      'TF_ERR_DATA_FILE',
      `${displayPath}: the file is empty; a bar file needs a header line (for example ` +
        '"Date,Open,High,Low,Close,Adj Close,Volume") and one row per bar',
    );
  }
  throw new TradeflowError(
    'TF_ERR_DATA_FILE',
    `${displayPath}: has a header but no data rows; add bars to it or remove it from the data sources`,
  );
}

function resolveInterval(options: LoadOptions, layout: RowLayout, rows: ParsedRows, displayPath: string): Interval {
  if (layout.time !== 'date') return options.interval ?? detectInterval(rows.ts, rows.day, rows.count, displayPath);
  if (options.interval !== undefined && options.interval !== '1d') {
    throw new TradeflowError(
      'TF_ERR_DATA_FILE',
      `${displayPath}: rows carry a date only, so they are daily bars, not ${options.interval}; set the interval to 1d or leave it out`,
    );
  }
  return '1d';
}

function noRows(rows: ParsedRows, displayPath: string): TradeflowError {
  const kinds = Object.entries(rows.problems)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return new TradeflowError(
    'TF_ERR_DATA_FILE',
    `${displayPath}: no valid rows (${rows.skipped} skipped: ${kinds}); load it with onBadRow 'error' to see the first bad row`,
  );
}

/** Returns the rows [from, to) whose bars close inside the window (rows are in time order). */
function windowRows(
  rows: ParsedRows,
  shiftMs: number,
  window: LoadOptions['window'],
): { from: number; to: number } {
  let from = 0;
  let to = rows.count;
  const fromMs = window?.fromMs;
  const untilMs = window?.untilMs;
  if (fromMs !== undefined) while (from < to && (rows.ts[from] as number) + shiftMs < fromMs) from++;
  if (untilMs !== undefined) while (to > from && (rows.ts[to - 1] as number) + shiftMs >= untilMs) to--;
  return { from, to };
}

/** Reads a bar file, validates every row and writes its bars into `data` without publishing them. */
export function loadBarFile(options: LoadOptions, data: SessionData): LoadReport {
  const displayPath = options.displayPath ?? options.file;
  const text = readText(options.file, displayPath);
  const head = readHead(text, displayPath);
  const format = options.format ?? detectFormat(head.line, head.firstDataLine, displayPath);
  const layout = layoutOf(format, head.line, head.firstDataLine);
  const rows = readRows({
    text,
    bodyStart: head.bodyStart,
    headerLineNo: head.lineNo,
    layout,
    stamper: typeof options.stamper === 'function' ? options.stamper(format) : options.stamper,
    onBadRow: options.onBadRow ?? 'error',
    displayPath,
  });
  if (rows.count === 0) throw noRows(rows, displayPath);
  const interval = resolveInterval(options, layout, rows, displayPath);
  const stamp = options.stamp ?? defaultStamp(format);
  const shiftMs = layout.time !== 'date' && stamp === 'open' ? intervalMs(interval) : 0;

  const { ts, open, high, low, close, volume } = rows;
  const { from, to } = windowRows(rows, shiftMs, options.window);
  const count = to - from;
  const firstTs = count > 0 ? (ts[from] as number) + shiftMs : Number.NaN;
  const lastTs = count > 0 ? (ts[to - 1] as number) + shiftMs : Number.NaN;
  const series = data.create(options.symbol, interval, { capacity: count });
  if (series.written > 0 && count > 0) {
    const lastLoaded = series.timeAt(series.written - 1);
    if (firstTs <= lastLoaded) {
      throw new TradeflowError(
        'TF_ERR_DATA_FILE',
        `${displayPath}: its first bar (${new Date(firstTs).toISOString()}) is not after the last bar already loaded ` +
          `for ${series.key} (${new Date(lastLoaded).toISOString()}); load files of one series in time order, without overlap`,
      );
    }
    series.reserve(series.written + count);
  }
  for (let i = from; i < to; i++) {
    series.write(
      (ts[i] as number) + shiftMs,
      open[i] as number,
      high[i] as number,
      low[i] as number,
      close[i] as number,
      volume[i] as number,
    );
  }
  return {
    file: displayPath,
    symbol: options.symbol,
    format,
    interval,
    rows: count,
    skipped: rows.skipped,
    problems: rows.problems,
    firstSkipped: rows.firstSkipped,
    firstTs,
    lastTs,
  };
}
