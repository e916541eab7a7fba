// Paces a replay so that simulated time runs a fixed multiple faster than wall time, and records how late
// steps start.
import { delay, monotonicMs } from '../core/clock.ts';

/**
 * Paces a replay: simulated time runs `speedMultiplier` times faster than wall time, so the step at
 * simulated time t is due at wall0 + (t - t0) / speed. Records how late each step starts (lag), and
 * shifts the schedule by the time spent paused, so a resumed replay continues from the same timestamp.
 */
export class ReplayPacer {
  readonly #speed: number;
  #wall0 = Number.NaN;
  #t0 = Number.NaN;
  #pausedAt = Number.NaN;
  #lagSum = 0;
  #lagMax = 0;
  #steps = 0;

  constructor(speedMultiplier: number) {
    this.#speed = speedMultiplier;
  }

  /** Waits until the step at simulated time `t` is due; records its lag. */
  async waitFor(t: number): Promise<void> {
    if (this.#t0 !== this.#t0) {
      this.#t0 = t;
      this.#wall0 = monotonicMs();
    }
    const due = this.#dueAt(t);
    const early = due - monotonicMs();
    if (early > 1) await delay(early).promise;
    const lag = Math.max(0, monotonicMs() - due);
    this.#lagSum += lag;
    if (lag > this.#lagMax) this.#lagMax = lag;
    this.#steps++;
  }

  /** Returns the wall time left until the step at simulated time `next` is due (the current step's budget). */
  budgetMs(next: number): number {
    if (next === Number.POSITIVE_INFINITY || this.#t0 !== this.#t0) return 0;
    return Math.max(0, this.#dueAt(next) - monotonicMs());
  }

  /** Freezes the schedule. */
  pause(): void {
    if (this.#pausedAt !== this.#pausedAt) this.#pausedAt = monotonicMs();
  }

  /** Continues the schedule where it froze. */
  resume(): void {
    if (this.#pausedAt === this.#pausedAt) {
      this.#wall0 += monotonicMs() - this.#pausedAt;
      this.#pausedAt = Number.NaN;
    }
  }

  /** Returns the average and largest lag of step starts, in ms. */
  get lag(): { readonly avgMs: number; readonly maxMs: number } {
    return { avgMs: this.#steps > 0 ? this.#lagSum / this.#steps : 0, maxMs: this.#lagMax };
  }

  #dueAt(t: number): number {
    return this.#wall0 + (t - this.#t0) / this.#speed;
  }
}
