// The bars a replay plays: a session's data files from `live.start` on, read by the same loaders as a
// backtest, so each bar has the values and close time a backtest of those rows would see.
import { relative } from 'node:path';
import type { LoadedSession } from '../../config/session-config.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Interval } from '../../model/interval.ts';
import { loadDataSource } from '../loaders/source.ts';
import { SessionData } from '../session-data.ts';
import type { FeedBar } from './bar-feed.ts';

/** One stream of a replay: a data source's symbol at its file's interval, and how many bars it plays. */
export interface ReplayStream {
  readonly symbol: string;
  readonly interval: Interval;
  readonly bars: number;
}

/** What a replay plays: every stream's bars from `startMs` on, merged in time order. */
export interface ReplayBars {
  /** Names the replay in messages: `replay of <session file>`. */
  readonly name: string;
  readonly startMs: number;
  readonly streams: readonly ReplayStream[];
  /** Bars in time order; bars of one time in the order of the data sources. */
  readonly bars: readonly FeedBar[];
}

/** Names a session's config file in messages, relative to the working folder when inside it. */
function fileOf(session: LoadedSession): string {
  return relative(process.cwd(), session.file) || session.file;
}

/**
 * Loads the bars a replay of a session plays: each data source's bars that close at or after `live.start`.
 * Fails with TF_ERR_CONFIG_INVALID, naming `live.start`, when it is not set or no bar closes at or after it.
 */
export function loadReplayBars(session: LoadedSession, log?: Logger): ReplayBars {
  const file = fileOf(session);
  const start = session.config.live?.start;
  if (start === undefined) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `${file}: live.start is not set; a replay plays the bars from live.start on (those before it are history): ` +
        'set "live": { "start": "<ISO time inside the data>" }',
    );
  }
  const startMs = Date.parse(start);
  const data = new SessionData();
  const streams: ReplayStream[] = [];
  const lists: FeedBar[][] = [];
  session.config.data.forEach((d, i) => {
    // Every row is read and checked, and the interval detected from them all, as for a backtest.
    const source = loadDataSource(
      { root: session.root, source: d, where: `data[${i}]`, log, window: { fromMs: startMs } },
      data,
    );
    const { series } = source;
    const list: FeedBar[] = [];
    for (let r = 0; r < series.written; r++) {
      list.push({
        symbol: d.symbol,
        interval: series.interval,
        tsClose: series.timeAt(r),
        open: series.openAt(r),
        high: series.highAt(r),
        low: series.lowAt(r),
        close: series.closeAt(r),
        volume: series.volumeAt(r),
      });
    }
    lists.push(list);
    streams.push({ symbol: d.symbol, interval: series.interval, bars: list.length });
  });
  const bars = lists.flat();
  if (bars.length === 0) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `${file}: live.start (${start}) is after the last bar of every data source, so a replay has nothing to play; ` +
        'set live.start to a time inside the data',
    );
  }
  // A stable sort keeps the data sources' order among bars of one time.
  bars.sort((a, b) => a.tsClose - b.tsClose);
  return { name: `replay of ${file}`, startMs, streams, bars };
}
