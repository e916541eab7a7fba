// Publishes a run's bars in time order: the base series merged by close time, and the series aggregated
// from them.
import { Aggregator } from '../data/aggregator.ts';
import type { BarSeries, SessionData } from '../data/session-data.ts';
import type { Interval } from '../model/interval.ts';
import type { SeriesSlot as RoutedSlot } from '../strategy/host/subscription-map.ts';
import type { LoadedData, ResolvedSubscription, Source } from './session-builder.ts';

/** A series that can update during a step, with the integer id the strategy manager routes by. */
export interface SeriesSlot extends RoutedSlot {
  readonly series: BarSeries;
  readonly symbolId: number;
}

interface BaseCursor {
  readonly slot: SeriesSlot;
  readonly source: Source;
  next: number;
  /** Close time of the next unpublished bar (Infinity when none): read once per bar, not per step. */
  nextTs: number;
  readonly aggs: AggSlot[];
}

interface AggSlot {
  readonly agg: Aggregator;
  readonly slot: SeriesSlot;
}

/** Called for each base bar as it is published: the broker fills orders and the portfolio marks here. */
export type BaseBarHandler = (symbolId: number, series: BarSeries, index: number) => void;

/**
 * Publishes bars in time order: the base series of every source (merged by close time) and the series
 * aggregated from them, which publish when their bucket closes (on a base bar or at the bucket's end).
 */
export class DataProcessor {
  readonly slots: SeriesSlot[] = [];
  readonly #bases: BaseCursor[] = [];
  readonly #aggs: AggSlot[] = [];
  #published = 0;
  #total = 0;

  constructor(loaded: LoadedData, subscriptions: readonly ResolvedSubscription[]) {
    for (const source of loaded.sources) this.addSource(source);
    for (const sub of subscriptions) this.addAggregate(loaded.data, sub, Number.NEGATIVE_INFINITY);
  }

  /** Returns how many base bars were loaded (and written live) when their sources were added. */
  get totalBaseBars(): number {
    return this.#total;
  }

  /**
   * Adds a symbol's base series (at start, or when the symbol joins the session). Its bars that close at
   * or before `historyUntil` are published at once, without steps, as warm-up history (each handed to
   * `onHistory`); the later ones are stepped.
   */
  addSource(
    source: Source,
    historyUntil = Number.NEGATIVE_INFINITY,
    onHistory?: (slot: SeriesSlot) => void,
  ): SeriesSlot {
    const series = source.series;
    const slot = this.#addSlot(series, source.symbolId);
    const base: BaseCursor = { slot, source, next: 0, nextTs: series.timeAt(0), aggs: [] };
    this.#bases.push(base);
    this.#total += series.written;
    while (base.next < series.written && base.nextTs <= historyUntil) {
      base.next = series.publishNext() + 1;
      base.nextTs = series.timeAt(base.next);
      this.#published++;
      onHistory?.(slot);
    }
    return slot;
  }

  /**
   * Adds the series a subscription aggregates from its base, unless it exists; returns its slot then. A
   * series added mid-run is built at once from the base bars published so far (buckets that ended by
   * `nowMs` are closed), so that it carries the same history as if it had been there from the start.
   */
  addAggregate(data: SessionData, sub: ResolvedSubscription, nowMs: number): SeriesSlot | undefined {
    if (!sub.aggregated || data.has(sub.symbol, sub.interval)) return undefined;
    const base = this.#bases.find((b) => b.source === sub.source);
    if (!base) return undefined;
    const target = data.create(sub.symbol, sub.interval, {
      capacity: Math.max(16, Math.ceil(sub.source.series.written / 4)),
    });
    const agg = new Aggregator({ source: sub.source.series, target, calendar: sub.source.calendar });
    for (let i = 0; i < base.next; i++) agg.onBaseBar(i);
    if (nowMs === nowMs && agg.nextDeadline() <= nowMs) agg.closeUntil(nowMs);
    const a: AggSlot = { agg, slot: this.#addSlot(target, sub.source.symbolId) };
    base.aggs.push(a);
    this.#aggs.push(a);
    return a.slot;
  }

  #addSlot(series: BarSeries, symbolId: number): SeriesSlot {
    const slot: SeriesSlot = {
      id: this.slots.length,
      series,
      symbol: series.symbol,
      interval: series.interval,
      symbolId,
    };
    this.slots.push(slot);
    return slot;
  }

  /** Returns the slot of a series, if it updates in this session. */
  slotOf(data: SessionData, symbol: string, interval: Interval): SeriesSlot | undefined {
    const s = data.get(symbol, interval);
    return s && this.slots.find((x) => x.series === s);
  }

  /** Returns how many base bars have been published. */
  get publishedBaseBars(): number {
    return this.#published;
  }

  /**
   * Publishes all loaded history at once, without steps (a live session's warm-up): strategies see it
   * in place from setup on, and aggregated series are built from it. `countOf` limits each source to its
   * first bars (by symbol id: a resumed run's bar files, its stored live bars left to be replayed).
   */
  publishHistory(onSlot: (slot: SeriesSlot) => void, countOf?: (symbolId: number) => number): void {
    for (const b of this.#bases) {
      const series = b.source.series;
      const end = Math.min(series.written, countOf?.(b.source.symbolId) ?? series.written);
      this.#published += Math.max(0, end - b.next);
      for (let i = b.next; i < end; i++) {
        series.publishNext();
        onSlot(b.slot);
        for (const a of b.aggs) if (a.agg.onBaseBar(i)) onSlot(a.slot);
      }
      b.next = Math.max(b.next, end);
      b.nextTs = end < series.written ? series.timeAt(end) : Number.POSITIVE_INFINITY;
    }
  }

  /** Takes note of a bar written to a symbol's base series after the start (a live bar). */
  noteWritten(symbolId: number): void {
    const b = this.#bases.find((x) => x.source.symbolId === symbolId);
    if (b) this.#total++;
    if (b && b.nextTs === Number.POSITIVE_INFINITY) b.nextTs = b.source.series.timeAt(b.next);
  }

  /** Returns the time of the next step: the earliest unpublished base bar or bucket end; Infinity when done. */
  nextTime(): number {
    let t = Number.POSITIVE_INFINITY;
    for (const b of this.#bases) if (b.nextTs < t) t = b.nextTs;
    for (const a of this.#aggs) {
      const d = a.agg.nextDeadline();
      if (d < t) t = d;
    }
    return t;
  }

  /**
   * Publishes everything stamped at `t`: base bars first (each handed to `onBase`), then aggregated bars
   * that close. Writes the ids of updated series into `out` and returns how many.
   */
  step(t: number, onBase: BaseBarHandler, out: number[]): number {
    let n = 0;
    for (const b of this.#bases) {
      if (b.nextTs !== t) continue;
      const series = b.source.series;
      const index = series.publishNext();
      b.next = index + 1;
      b.nextTs = series.timeAt(index + 1);
      this.#published++;
      onBase(b.source.symbolId, series, index);
      out[n++] = b.slot.id;
      for (const a of b.aggs) if (a.agg.onBaseBar(index)) out[n++] = a.slot.id;
    }
    for (const a of this.#aggs) {
      if (a.agg.nextDeadline() <= t && a.agg.closeUntil(t)) out[n++] = a.slot.id;
    }
    return n;
  }
}
