import { relative, resolve } from 'node:path';
import type { DataSourceConfig, LoadedSession } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import { createCalendar, type TradingCalendar } from '../data/calendar.ts';
import { loadBarFile, type LoadReport } from '../data/loaders/index.ts';
import type { BarSeries } from '../data/session-data.ts';
import { SessionData } from '../data/session-data.ts';
import { canAggregate, type Interval } from '../model/interval.ts';
import type { Subscription } from '../strategy/base-strategy.ts';

/** One loaded data source: the symbol's base series and the calendar it trades on. */
export interface Source {
  readonly symbol: string;
  readonly symbolId: number;
  readonly series: BarSeries;
  readonly calendar: TradingCalendar;
  readonly report: LoadReport;
}

/** The session's bars: loaded base series (written, not yet published) and derived series to come. */
export interface LoadedData {
  readonly data: SessionData;
  readonly sources: readonly Source[];
  /** Symbol names by id (the order of the data sources). */
  readonly symbols: readonly string[];
}

function loadSource(
  root: string,
  d: DataSourceConfig,
  index: number,
  data: SessionData,
  symbolId: number,
): Source {
  const calendar = createCalendar(d.calendar, `data[${index}].calendar`);
  const file = resolve(root, d.file);
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
    },
    data,
  );
  const series = data.get(d.symbol, report.interval);
  if (!series)
    throw new TradeflowError('TF_ERR_INTERNAL', `data[${index}]: loader created no series for ${d.symbol}`);
  return { symbol: d.symbol, symbolId, series, calendar, report };
}

/** Loads every data source of a session into a new SessionData. */
export function loadSessionData(session: LoadedSession): LoadedData {
  const data = new SessionData();
  const sources: Source[] = [];
  const symbols: string[] = [];
  session.config.data.forEach((d, i) => {
    if (symbols.includes(d.symbol)) {
      throw new TradeflowError(
        'TF_ERR_CONFIG_INVALID',
        `data[${i}].symbol: ${d.symbol} is already loaded by an earlier data source; load each symbol once (other intervals are aggregated from it)`,
      );
    }
    sources.push(loadSource(session.root, d, i, data, symbols.length));
    symbols.push(d.symbol);
  });
  return { data, sources, symbols };
}

/** What a subscription needs: the base source it reads, and whether it is aggregated from it. */
export interface ResolvedSubscription {
  readonly symbol: string;
  readonly interval: Interval;
  readonly source: Source;
  readonly aggregated: boolean;
}

/** Checks a strategy's subscriptions against the loaded data; names the strategy and what to do. */
export function resolveSubscriptions(
  strategy: string,
  subs: readonly Subscription[],
  loaded: LoadedData,
): ResolvedSubscription[] {
  return subs.map(([symbol, interval]) => {
    const source = loaded.sources.find((s) => s.symbol === symbol);
    if (!source) {
      throw new TradeflowError(
        'TF_ERR_SUBSCRIPTION',
        `strategy ${strategy} subscribes to ${symbol}, which no data source provides (loaded: ${loaded.symbols.join(', ')})`,
      );
    }
    const base = source.series.interval;
    if (!canAggregate(base, interval)) {
      throw new TradeflowError(
        'TF_ERR_SUBSCRIPTION',
        `strategy ${strategy} subscribes to ${symbol} at ${interval}, but its data is ${base} bars, which cannot be rolled up into ${interval}`,
      );
    }
    return { symbol, interval, source, aggregated: interval !== base };
  });
}
