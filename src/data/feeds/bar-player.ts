// Plays bars in time order at a wall-clock pace: what paces a replay feed and `tradeflow feed serve`.
import { type Timer, wallTimer } from '../../core/clock.ts';
import type { FeedBar } from './bar-feed.ts';

/** What a player plays, how fast, and whom it tells. */
export interface BarPlayerOptions {
  /** The bars, in time order (of every stream, merged). */
  readonly bars: readonly FeedBar[];
  /** Bar time passes `speed` times as fast as the timer's time. */
  readonly speed: number;
  readonly timer?: Timer;
  /** Receives the bars that fell due, in order (several at once when they fall due together). */
  readonly onBars: (bars: readonly FeedBar[]) => void;
  /** Called once after the last bar was handed out (not when stopped). */
  readonly onEnd: () => void;
}

/**
 * Plays bars from a start index: that bar at once, each later one when (its close - the first's close) /
 * speed has passed on the timer since the start. The pace is measured from the start, not bar to bar, so
 * time spent by the receivers does not add up into drift.
 */
export class BarPlayer {
  readonly #o: BarPlayerOptions;
  readonly #timer: Timer;
  #next = 0;
  #firstTs = 0;
  #startMs = 0;
  #cancel: (() => void) | undefined;
  #state: 'idle' | 'playing' | 'ended' | 'stopped' = 'idle';

  constructor(o: BarPlayerOptions) {
    this.#o = o;
    this.#timer = o.timer ?? wallTimer;
  }

  /** Index of the next bar to hand out: bars before it have been played. */
  get played(): number {
    return this.#next;
  }

  /** Returns whether the last bar has been handed out. */
  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** Starts playing at bar `from` (the bars before it are skipped, not waited for). */
  start(from = 0): void {
    if (this.#state !== 'idle') return;
    this.#state = 'playing';
    this.#next = Math.min(Math.max(0, from), this.#o.bars.length);
    this.#firstTs = this.#o.bars[this.#next]?.tsClose ?? 0;
    this.#startMs = this.#timer.nowMs();
    // On a later turn, so the caller has finished starting before the first bar arrives.
    this.#cancel = this.#timer.after(0, () => this.#tick());
  }

  /** Stops playing; no callback follows. */
  stop(): void {
    if (this.#state === 'playing') this.#state = 'stopped';
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #dueMs(i: number): number {
    return this.#startMs + (this.#o.bars[i]!.tsClose - this.#firstTs) / this.#o.speed;
  }

  #tick(): void {
    this.#cancel = undefined;
    if (this.#state !== 'playing') return;
    const { bars } = this.#o;
    const now = this.#timer.nowMs();
    const from = this.#next;
    while (this.#next < bars.length && this.#dueMs(this.#next) <= now) this.#next++;
    if (this.#next > from) this.#o.onBars(bars.slice(from, this.#next));
    // A receiver may have stopped the player.
    if (this.#state !== 'playing') return;
    if (this.#next >= bars.length) {
      this.#state = 'ended';
      this.#o.onEnd();
      return;
    }
    this.#cancel = this.#timer.after(this.#dueMs(this.#next) - now, () => this.#tick());
  }
}
