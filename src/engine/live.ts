// Live bars on their way into a run: checked against the loaders' rules, queued as they arrive, and
// timed for lag.
import { feedBarProblem } from '../data/feeds/stream-book.ts';
import { DATE_RANGE, END_TIME_MS, FIRST_TIME_MS } from '../data/loaders/validate.ts';
import type { FeedBar, FeedEnd } from '../data/feeds/bar-feed.ts';
import type { BarSeries } from '../data/session-data.ts';
import type { DataProcessor } from './data-processor.ts';
import type { LoadedData } from './session-builder.ts';

/** Says what is wrong with a live bar for its series (the loaders' rules, plus time order), or undefined. */
export function liveBarProblem(bar: FeedBar, series: BarSeries): string | undefined {
  if (!Number.isFinite(bar.tsClose)) return 'its time is not a valid date';
  // As for bar files: a time far off would make the calendars walk every day up to it.
  if (bar.tsClose < FIRST_TIME_MS || bar.tsClose >= END_TIME_MS) {
    // Past +-8.64e15 ms a Date is invalid and toISOString would throw: show the number then.
    const when = Math.abs(bar.tsClose) <= 8.64e15 ? new Date(bar.tsClose).toISOString() : String(bar.tsClose);
    return `its time (${when}) is outside the dates tradeflow accepts (${DATE_RANGE})`;
  }
  const last = series.written > 0 ? series.timeAt(series.written - 1) : Number.NEGATIVE_INFINITY;
  if (bar.tsClose <= last) return `its time is not after the last bar's (${new Date(last).toISOString()})`;
  return feedBarProblem(bar);
}

/**
 * Appends a live bar to its symbol's base series and tells the processor; returns why it was refused
 * instead (an unknown symbol, or a bar that breaks a rule), leaving everything as it was.
 */
export function appendLiveBar(
  bar: FeedBar,
  loaded: LoadedData,
  processor: DataProcessor,
): string | undefined {
  const symbolId = loaded.symbols.indexOf(bar.symbol);
  const series = loaded.sources[symbolId]?.series;
  if (!series) return `unknown symbol ${bar.symbol}`;
  const problem = liveBarProblem(bar, series);
  if (problem !== undefined) return problem;
  series.write(bar.tsClose, bar.open, bar.high, bar.low, bar.close, bar.volume);
  processor.noteWritten(symbolId);
  return undefined;
}

/** What `LiveInbox.next` resolves with when woken for a scheduled tick rather than a bar. */
export const WOKEN = Symbol('woken');

/** Bars received from a feed, waiting for the engine, with the monotonic time each arrived. */
export class LiveInbox {
  readonly #items: { bar: FeedBar; receivedMs: number }[] = [];
  #head = 0;
  #ended: FeedEnd | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

  /** Makes a waiting `next` (or the next one) resolve `WOKEN` once when no bar is waiting: a tick is due. */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Adds a bar (ignored once the inbox has ended). */
  push(bar: FeedBar, receivedMs: number): void {
    if (this.#ended !== undefined) return;
    this.#items.push({ bar, receivedMs });
    this.#wake?.();
  }

  /**
   * Ends the inbox (the first end given is kept: the feed's own, or the run's stop): bars already in it are
   * still handed out, then `next` resolves undefined.
   */
  end(end: FeedEnd): void {
    this.#ended ??= end;
    this.#wake?.();
  }

  /** Returns how the inbox ended, if it has. */
  get ended(): FeedEnd | undefined {
    return this.#ended;
  }

  /** Returns true when a bar is waiting to be handed out. */
  get hasNext(): boolean {
    return this.#head < this.#items.length;
  }

  /** Resolves with the next bar, `WOKEN` after `wake`, or undefined once the inbox has ended and is empty. */
  async next(): Promise<{ bar: FeedBar; receivedMs: number } | typeof WOKEN | undefined> {
    for (;;) {
      if (this.#head < this.#items.length) {
        const item = this.#items[this.#head++]!;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items.splice(0, this.#head);
          this.#head = 0;
        }
        return item;
      }
      if (this.#ended !== undefined) return undefined;
      if (this.#woken) {
        this.#woken = false;
        return WOKEN;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/** Average and largest lag between a live bar's arrival and the start of its step. */
export class LagStats {
  #sum = 0;
  #max = 0;
  #n = 0;

  /** Records one lag in ms. */
  record(ms: number): void {
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
    this.#n++;
  }

  /** Returns the figures in ms. */
  get figures(): { readonly avgMs: number; readonly maxMs: number } {
    return { avgMs: this.#n > 0 ? this.#sum / this.#n : 0, maxMs: this.#max };
  }
}
