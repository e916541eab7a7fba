// Loads one data source of a session config (its file, calendar and time zone) with the bar loader: the
// one way a session's bars are read, for a backtest, a live session's history and a replay feed alike.
import { relative, resolve } from 'node:path';
import type { DataSourceConfig } from '../../config/session-config.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { checkRealPathInside, isInside } from '../../core/paths.ts';
import { createCalendar, type TradingCalendar } from '../calendar.ts';
import type { BarSeries, SessionData } from '../session-data.ts';
import { type LoadOptions, loadBarFile, type LoadReport, skippedRowsNote } from './load.ts';

/** A data source's bars as loaded: its series (written, not published), its calendar and the load report. */
export interface LoadedSource {
  readonly symbol: string;
  readonly series: BarSeries;
  readonly calendar: TradingCalendar;
  readonly report: LoadReport;
}

/** Where and how to load one data source. */
export interface SourceLoad {
  /** The folder the source's relative path resolves against (the session's root). */
  readonly root: string;
  readonly source: DataSourceConfig;
  /** Names the source in messages (`data[0]`). */
  readonly where: string;
  readonly log?: Logger | undefined;
  /** Keeps only the bars that close in this window (see LoadOptions.window). */
  readonly window?: LoadOptions['window'];
}

/** Loads a data source into `data`: a warning is logged for rows skipped by `on_bad_row: "skip"`. */
export function loadDataSource(o: SourceLoad, data: SessionData): LoadedSource {
  const { source: d, where } = o;
  const calendar = createCalendar(d.calendar, `${where}.calendar`);
  const file = resolve(o.root, d.file);
  // A file named inside data/ must really be there: a symlink out of it is refused before it is read. A
  // path outside data/ is the CLI user's own choice (the API accepts data/ only, see api/backtest-request).
  const dataDir = resolve(o.root, 'data');
  if (isInside(dataDir, file)) checkRealPathInside(dataDir, file, { where: `${where}.file`, root: o.root });
  const report = loadBarFile(
    {
      file,
      displayPath: relative(process.cwd(), file) || d.file,
      symbol: d.symbol,
      onBadRow: d.on_bad_row,
      // ohlcv files are written in UTC; other formats in the exchange's time unless the source says otherwise.
      stamper: (format) => calendar.stamper(d.timezone ?? (format === 'ohlcv' ? 'UTC' : undefined)),
      ...(d.format === undefined ? {} : { format: d.format }),
      ...(d.interval === undefined ? {} : { interval: d.interval }),
      ...(d.stamp === undefined ? {} : { stamp: d.stamp }),
      ...(o.window === undefined ? {} : { window: o.window }),
    },
    data,
  );
  const skipped = skippedRowsNote(report);
  if (skipped !== undefined) o.log?.warn(skipped, { source: where, skipped: report.skipped });
  const series = data.get(d.symbol, report.interval);
  if (!series) throw new TradeflowError('TF_ERR_INTERNAL', `${where}: loader created no series for ${d.symbol}`);
  return { symbol: d.symbol, series, calendar, report };
}
