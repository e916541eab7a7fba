// Bar quality: the share of the bars a calendar expects that a series actually has.
import type { Interval } from '../model/interval.ts';
import { intervalMs } from '../model/interval.ts';
import type { Session, TradingCalendar } from './calendar.ts';

/**
 * Bar quality: the share (0-100) of the bars a calendar expects that are present. A session holds the
 * slots an aggregator would build in it: (open, open + L], (open + L, open + 2L], ... with the last one cut
 * at the close, or the whole session for `1d`. A slot is expected once its end has passed, so a session in
 * progress counts only its finished slots.
 */

/** Returns the slot length of an interval, or 0 for `1d` (one slot per session). */
function slotLength(interval: Interval): number {
  return interval === '1d' ? 0 : intervalMs(interval);
}

/** Returns how many slot ends of session `s` lie in (fromMs, toMs]. */
function slotEndsIn(s: Session, lengthMs: number, fromMs: number, toMs: number): number {
  let n = fromMs < s.closeMs && s.closeMs <= toMs ? 1 : 0;
  if (lengthMs === 0) return n;
  // Slot ends before the close are open + k * L for k = 1 .. ceil((close - open) / L) - 1.
  const kLast = Math.ceil((s.closeMs - s.openMs) / lengthMs) - 1;
  const kMin = Math.max(1, Math.floor((fromMs - s.openMs) / lengthMs) + 1);
  const kMax = Math.min(kLast, Math.floor((toMs - s.openMs) / lengthMs));
  if (kMax >= kMin) n += kMax - kMin + 1;
  return n;
}

/** Returns the end of the slot that holds `ms` inside session `s`. */
function slotEnd(s: Session, lengthMs: number, ms: number): number {
  if (lengthMs === 0) return s.closeMs;
  const end = s.openMs + Math.ceil((ms - s.openMs) / lengthMs) * lengthMs;
  return end < s.closeMs ? end : s.closeMs;
}

/** Returns the number of bars of `interval` the calendar expects with close times in (fromMs, toMs]. */
export function expectedBars(calendar: TradingCalendar, interval: Interval, fromMs: number, toMs: number): number {
  const len = slotLength(interval);
  let n = 0;
  for (const s of calendar.sessionsBetween(fromMs, toMs)) n += slotEndsIn(s, len, fromMs, toMs);
  return n;
}

/** Returns quality in percent from counts: 100 when nothing is expected yet. */
export function qualityPercent(present: number, expected: number): number {
  return expected <= 0 ? 100 : Math.min(100, (100 * present) / expected);
}

/**
 * Tracks the quality of one (symbol, interval) series as its bars arrive. The period starts at the open of
 * the first session that holds a bar (or at `fromMs` when given). Bars outside sessions are not counted,
 * and two bars in one slot count once. `quality(nowMs)` is O(1) amortised while `nowMs` does not go back:
 * finished sessions are added up once.
 */
export class QualityTracker {
  readonly calendar: TradingCalendar;
  readonly interval: Interval;
  readonly #lengthMs: number;
  #fromMs: number;
  #present = 0;
  #lastSlotEnd = Number.NEGATIVE_INFINITY;
  /** Expected slots of the sessions that closed at or before #countedTo. */
  #expectedDone = 0;
  #countedTo = Number.NEGATIVE_INFINITY;
  /** The first session not yet in #expectedDone, or undefined before it is looked up. */
  #cursor: Session | undefined;

  constructor(calendar: TradingCalendar, interval: Interval, opts: { fromMs?: number } = {}) {
    this.calendar = calendar;
    this.interval = interval;
    this.#lengthMs = slotLength(interval);
    this.#fromMs = opts.fromMs ?? Number.NaN;
  }

  /** Returns the start of the measured period (NaN until the first in-session bar when no start was given). */
  get fromMs(): number {
    return this.#fromMs;
  }

  /** Returns the number of slots that hold a bar so far. */
  get present(): number {
    return this.#present;
  }

  /** Returns the number of slots that hold a bar and have ended by `nowMs` (the last one may still be open). */
  presentAt(nowMs: number): number {
    return this.#lastSlotEnd > nowMs ? this.#present - 1 : this.#present;
  }

  /** Counts a bar closing at `ms` when it lies in a session and in a slot not yet counted. */
  onBar(ms: number): void {
    const s = this.calendar.sessionAt(ms);
    if (s === undefined) return;
    if (Number.isNaN(this.#fromMs)) this.#fromMs = s.openMs;
    if (ms <= this.#fromMs) return;
    const end = slotEnd(s, this.#lengthMs, ms);
    if (end === this.#lastSlotEnd) return;
    this.#lastSlotEnd = end;
    this.#present++;
  }

  /** Returns the number of slots expected from the start of the period to `nowMs`. */
  expected(nowMs: number): number {
    const from = this.#fromMs;
    if (Number.isNaN(from) || nowMs <= from) return 0;
    if (nowMs < this.#countedTo) return expectedBars(this.calendar, this.interval, from, nowMs);
    if (this.#countedTo === Number.NEGATIVE_INFINITY) {
      this.#cursor = this.calendar.nextSession(from + 1);
      this.#countedTo = from;
    }
    let s = this.#cursor;
    while (s !== undefined && s.closeMs <= nowMs) {
      this.#expectedDone += slotEndsIn(s, this.#lengthMs, from, s.closeMs);
      this.#countedTo = s.closeMs;
      s = this.calendar.nextSession(s.closeMs + 1);
    }
    this.#cursor = s;
    const partial = s !== undefined && s.openMs < nowMs ? slotEndsIn(s, this.#lengthMs, from, nowMs) : 0;
    return this.#expectedDone + partial;
  }

  /** Returns the share of expected bars present, 0-100 (100 when none is expected yet). */
  quality(nowMs: number): number {
    return qualityPercent(this.presentAt(nowMs), this.expected(nowMs));
  }
}
