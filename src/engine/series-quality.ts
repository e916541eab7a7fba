// The bar quality of every series in a run, tracked as bars are published.
import type { TradingCalendar } from '../data/calendar.ts';
import { QualityTracker } from '../data/quality.ts';
import type { BarSeries } from '../data/session-data.ts';
import { seriesKey, type SeriesKey } from '../model/bar.ts';
import type { Interval } from '../model/interval.ts';

/** Bar quality of every series in a session, fed as bars are published. */
export class SeriesQuality {
  readonly #trackers = new Map<BarSeries, QualityTracker>();
  readonly #byKey = new Map<SeriesKey, QualityTracker>();

  /** Starts tracking a series against its calendar. */
  track(series: BarSeries, calendar: TradingCalendar): void {
    if (this.#trackers.has(series)) return;
    const t = new QualityTracker(calendar, series.interval);
    this.#trackers.set(series, t);
    this.#byKey.set(series.key, t);
  }

  /** Starts tracking a series added mid-run with bars already published, counting each of them. */
  trackPublished(series: BarSeries, calendar: TradingCalendar): void {
    this.track(series, calendar);
    const t = this.#trackers.get(series)!;
    for (let i = 0; i < series.length; i++) t.onBar(series.timeAt(i));
  }

  /** Counts the series' newest published bar. */
  onBar(series: BarSeries): void {
    this.#trackers.get(series)?.onBar(series.timeAt(series.length - 1));
  }

  /** Returns the share 0-100 of expected bars present so far (100 for an unknown series or before any is expected). */
  get(symbol: string, interval: Interval, nowMs: number): number {
    return this.#byKey.get(seriesKey(symbol, interval))?.quality(nowMs) ?? 100;
  }
}
