// Rolls a base bar series up into a larger interval, with buckets aligned to the trading calendar's sessions.
import { TradeflowError } from '../core/errors.ts';
import { DAY_MS } from '../core/time.ts';
import { BarFlags } from '../model/bar.ts';
import { canAggregate, intervalMs } from '../model/interval.ts';
import type { TradingCalendar } from './calendar.ts';
import type { BarSeries } from './session-data.ts';

/**
 * Rolls a base series into a larger interval, aligned to the calendar's sessions.
 *
 * Buckets are end-inclusive like bars, `(start, end]`, and a base bar goes to the bucket holding its close
 * time. Intraday buckets start at the session open and step by the interval; the last one is cut at the
 * close (1h on US equities: 09:30-10:30, ..., 14:30-15:30, 15:30-16:00; a 13:00 early close ends with
 * 12:30-13:00). A `1d` bucket is the whole session. Each bar is stamped with its bucket's end and flagged
 * AGGREGATED, and is appended to the target only once its bucket has closed:
 * - a base bar stamped exactly at the bucket end arrives, or
 * - a later base bar arrives (the data skipped the end), or
 * - `closeUntil(ms)` is called with `ms >= end` (the engine schedules a step at `nextDeadline()`).
 * A bucket with no base bar yields no bar (gaps stay gaps).
 *
 * Base bars outside every session are ignored unless `includeOutsideSession`. With it, a `1d` bucket runs
 * from the previous session's close to this session's close (pre-market joins its day, post-market the
 * next trading day); intraday buckets outside sessions follow a grid from local midnight, cut at the
 * session open and at midnight, and are flagged OUTSIDE_SESSION as well.
 *
 * Order within a step: feed the step's base bars with `onBaseBar` first, then call `closeUntil(stepMs)`;
 * a base bar at or before a bucket end that was already closed is late and is dropped (`lateBars`).
 */
export interface AggregatorOptions {
  readonly source: BarSeries;
  readonly target: BarSeries;
  readonly calendar: TradingCalendar;
  readonly includeOutsideSession?: boolean | undefined;
}

/** Builds one target series from one base series; holds the open bucket in plain fields (no allocation per bar). */
export class Aggregator {
  readonly source: BarSeries;
  readonly target: BarSeries;
  readonly calendar: TradingCalendar;
  readonly #daily: boolean;
  readonly #lengthMs: number;
  readonly #includeOutside: boolean;
  #isOpen = false;
  #end = 0;
  #flags = 0;
  #open = 0;
  #high = 0;
  #low = 0;
  #close = 0;
  #volume = 0;
  /** Close time of the last base bar taken, or of the last bucket closed by the clock. */
  #lastMs = Number.NEGATIVE_INFINITY;
  /** Base bars up to this time are outside every session (known from an earlier lookup). */
  #skipUntil = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(opts: AggregatorOptions) {
    const { source, target, calendar } = opts;
    if (source.symbol !== target.symbol || source.interval === target.interval || !canAggregate(source.interval, target.interval)) {
      throw new TradeflowError(
        'TF_ERR_SUBSCRIPTION',
        `cannot aggregate ${source.key} into ${target.key}: the target must be the same symbol at a larger interval that is a multiple of the base`,
      );
    }
    this.source = source;
    this.target = target;
    this.calendar = calendar;
    this.#daily = target.interval === '1d';
    this.#lengthMs = intervalMs(target.interval);
    this.#includeOutside = opts.includeOutsideSession ?? false;
  }

  /** Returns how many base bars arrived after their bucket had closed and were dropped. */
  get lateBars(): number {
    return this.#late;
  }

  /** Consumes the published base bar at `index`; returns how many target bars it closed and published (0, 1 or 2). */
  onBaseBar(index: number): number {
    if (!(index >= 0 && index < this.source.length)) return 0; // not published: nothing to read yet
    const t = this.source.timeAt(index);
    if (!(t > this.#lastMs)) {
      this.#late++;
      return 0;
    }
    this.#lastMs = t;
    let published = 0;
    if (this.#isOpen) {
      if (t <= this.#end) {
        const h = this.source.highAt(index);
        const l = this.source.lowAt(index);
        if (h > this.#high) this.#high = h;
        if (l < this.#low) this.#low = l;
        this.#close = this.source.closeAt(index);
        this.#volume += this.source.volumeAt(index);
        if (t === this.#end) this.#publish();
        return t === this.#end ? 1 : 0;
      }
      this.#publish();
      published = 1;
    }
    if (t <= this.#skipUntil || !this.#startBucket(t)) return published;
    this.#isOpen = true;
    this.#open = this.source.openAt(index);
    this.#high = this.source.highAt(index);
    this.#low = this.source.lowAt(index);
    this.#close = this.source.closeAt(index);
    this.#volume = this.source.volumeAt(index);
    if (t === this.#end) {
      this.#publish();
      published++;
    }
    return published;
  }

  /** Closes and publishes the open bucket when its end is at or before `ms`; returns true when it did. */
  closeUntil(ms: number): boolean {
    if (!this.#isOpen || this.#end > ms) return false;
    if (this.#end > this.#lastMs) this.#lastMs = this.#end;
    this.#publish();
    return true;
  }

  /** Returns the end of the open bucket (when it must be published at the latest), or Infinity. */
  nextDeadline(): number {
    return this.#isOpen ? this.#end : Number.POSITIVE_INFINITY;
  }

  #publish(): void {
    this.target.append(this.#end, this.#open, this.#high, this.#low, this.#close, this.#volume, this.#flags);
    this.#isOpen = false;
  }

  /** Sets the bucket of a base bar closing at `t`; returns false when the bar is to be ignored. */
  #startBucket(t: number): boolean {
    const cal = this.calendar;
    const s = cal.sessionAt(t);
    if (s !== undefined) {
      this.#flags = BarFlags.AGGREGATED;
      if (this.#daily) this.#end = s.closeMs;
      else {
        const len = this.#lengthMs;
        const end = s.openMs + Math.ceil((t - s.openMs) / len) * len;
        this.#end = end < s.closeMs ? end : s.closeMs;
      }
      return true;
    }
    const next = cal.nextSession(t);
    if (!this.#includeOutside) {
      this.#skipUntil = next === undefined ? Number.POSITIVE_INFINITY : next.openMs;
      return false;
    }
    if (this.#daily) {
      if (next === undefined) return false;
      this.#flags = BarFlags.AGGREGATED;
      this.#end = next.closeMs;
      return true;
    }
    const key = cal.dayKey(t);
    const dayStart = cal.zone.wallToUtc(key * DAY_MS);
    const dayEnd = cal.zone.wallToUtc((key + 1) * DAY_MS);
    let end = dayStart + Math.ceil((t - dayStart) / this.#lengthMs) * this.#lengthMs;
    if (next !== undefined && next.openMs >= t && next.openMs < end) end = next.openMs;
    if (dayEnd < end) end = dayEnd;
    this.#flags = BarFlags.AGGREGATED | BarFlags.OUTSIDE_SESSION;
    this.#end = end;
    return true;
  }
}
