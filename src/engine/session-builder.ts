// Loads a session's data sources into SessionData, stages symbols that join later, and checks strategies'
// subscriptions against what was loaded.
import type { DataSourceConfig, LoadedSession } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import type { TradingCalendar } from '../data/calendar.ts';
import type { LoadReport } from '../data/loaders/load.ts';
import { loadDataSource } from '../data/loaders/source.ts';
import type { Logger } from '../core/logger.ts';
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

/**
 * The session's bars: loaded base series (written, not yet published) and derived series to come. Symbols
 * can join during the run (`addSource`), taking the next id.
 */
export interface LoadedData {
  readonly data: SessionData;
  readonly sources: readonly Source[];
  /** Symbol names by id (the order of the data sources). */
  readonly symbols: readonly string[];
}

/** A loaded source not in the session yet: it joins at `join_at` (its bars are checked at load, with all others). */
export type StagedSource = Omit<Source, 'symbolId'>;

/** LoadedData as its builder holds it, to add sources to; `staged` holds the sources that join later, by config index. */
export interface GrowingData extends LoadedData {
  readonly sources: Source[];
  readonly symbols: string[];
  readonly staged: Map<number, StagedSource>;
}

function loadSource(
  root: string,
  d: DataSourceConfig,
  where: string,
  data: SessionData,
  log: Logger | undefined,
  untilMs?: number,
): StagedSource {
  return loadDataSource(
    { root, source: d, where, log, ...(untilMs === undefined ? {} : { window: { untilMs } }) },
    data,
  );
}

/** How to load a session's data. */
export interface SessionDataOptions {
  /**
   * Loads only the bars that close before this time (epoch ms UTC): a live session's warm-up history ends
   * where its feed starts (`live.start`), so the bars from it on come from the feed, not the files.
   */
  readonly historyUntilMs?: number;
}

/**
 * Loads every data source of a session into a new SessionData. Those with `join_at` are loaded (and their
 * rows checked) now too, but staged: they enter the session when they join (`admitSource`).
 */
export function loadSessionData(
  session: LoadedSession,
  log?: Logger,
  options: SessionDataOptions = {},
): GrowingData {
  const loaded: GrowingData = { data: new SessionData(), sources: [], symbols: [], staged: new Map() };
  const seen = new Set<string>();
  session.config.data.forEach((d, i) => {
    const where = `data[${i}]`;
    checkNew(seen, d.symbol, where);
    seen.add(d.symbol);
    const source = loadSource(session.root, d, where, loaded.data, log, options.historyUntilMs);
    if (d.join_at === undefined) admitSource(loaded, source);
    else loaded.staged.set(i, source);
  });
  return loaded;
}

/** Loads a data source for a symbol that joins a running session (`where` names it in errors). */
export function stageSource(
  root: string,
  loaded: GrowingData,
  d: DataSourceConfig,
  where: string,
  log?: Logger,
): StagedSource {
  checkNew(
    new Set([...loaded.symbols, ...[...loaded.staged.values()].map((s) => s.symbol)]),
    d.symbol,
    where,
  );
  return loadSource(root, d, where, loaded.data, log);
}

/** Enters a loaded source into the session: its symbol takes the next id. */
export function admitSource(loaded: GrowingData, staged: StagedSource): Source {
  const source: Source = { ...staged, symbolId: loaded.symbols.length };
  loaded.sources.push(source);
  loaded.symbols.push(source.symbol);
  return source;
}

function checkNew(symbols: ReadonlySet<string>, symbol: string, where: string): void {
  if (symbols.has(symbol)) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `${where}.symbol: ${symbol} is already loaded by an earlier data source; load each symbol once (other intervals are aggregated from it)`,
    );
  }
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
      const later =
        'staged' in loaded && [...(loaded as GrowingData).staged.values()].some((s) => s.symbol === symbol);
      throw new TradeflowError(
        'TF_ERR_SUBSCRIPTION',
        later
          ? `strategy ${strategy} subscribes to ${symbol}, which joins the session later (its data source's join_at); subscribe to it when it joins (follow_added_symbols, or getSubscriptions after onSymbolAdded)`
          : `strategy ${strategy} subscribes to ${symbol}, which no data source provides (loaded: ${loaded.symbols.join(', ')})`,
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
