// When scheduled strategies get `onTick`: every `tick_interval`, at multiples of it from the epoch, between
// a run's first and last bar (simulated time), and which strategies are due at a step.
import type { StrategyRunner } from '../strategy/host/runner.ts';

/** A strategy with a tick interval. */
export interface TickEntry {
  readonly runner: StrategyRunner;
  readonly intervalMs: number;
}

const NONE: readonly StrategyRunner[] = Object.freeze([]);

/**
 * The tick times of a run's scheduled strategies. A strategy's ticks fall on the multiples of its
 * interval from the epoch (a "30s" tick at :00 and :30 of every minute, a "1h" one on the hour), from
 * the first one at or after `fromMs` up to `untilMs`. `next()` is the earliest tick due, and `take(t)`
 * returns the strategies due at `t` (in registration order) and moves them on.
 */
export class TickSchedule {
  readonly #entries: readonly TickEntry[];
  readonly #nextMs: number[];
  #untilMs: number;

  constructor(entries: readonly TickEntry[], fromMs: number, untilMs: number) {
    this.#entries = [...entries].sort((a, b) => a.runner.index - b.runner.index);
    this.#nextMs = this.#entries.map((e) => Math.ceil(fromMs / e.intervalMs) * e.intervalMs);
    this.#untilMs = untilMs;
  }

  /** Returns true when no strategy has a tick interval. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** Starts the ticks from `fromMs` on (a run's first step), up to `untilMs`. */
  restart(fromMs: number, untilMs: number): void {
    this.#entries.forEach((e, i) => (this.#nextMs[i] = Math.ceil(fromMs / e.intervalMs) * e.intervalMs));
    this.#untilMs = untilMs;
  }

  /** Returns the earliest tick time due, or Infinity when none is left. */
  next(): number {
    let t = Number.POSITIVE_INFINITY;
    for (const n of this.#nextMs) if (n < t) t = n;
    return t <= this.#untilMs ? t : Number.POSITIVE_INFINITY;
  }

  /**
   * Returns the strategies whose tick falls at `t` (none when `t` is not a tick time), in registration
   * order, and moves each of them to its next tick.
   */
  take(t: number): readonly StrategyRunner[] {
    if (t > this.#untilMs) return NONE;
    let due: StrategyRunner[] | undefined;
    for (let i = 0; i < this.#entries.length; i++) {
      if (this.#nextMs[i] !== t) continue;
      const e = this.#entries[i]!;
      (due ??= []).push(e.runner);
      this.#nextMs[i] = t + e.intervalMs;
    }
    return due ?? NONE;
  }

  /** Moves every strategy's next tick past `t` without calling it (ticks a live run has missed). */
  skipUntil(t: number): void {
    this.#entries.forEach((e, i) => {
      if (this.#nextMs[i]! <= t) this.#nextMs[i] = (Math.floor(t / e.intervalMs) + 1) * e.intervalMs;
    });
  }
}
