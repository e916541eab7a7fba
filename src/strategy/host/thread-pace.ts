// What the engine remembers about each strategy thread between the steps of a replay or a live run: the
// step of its last bar (an overrun is a bar that finds it still busy with one) and, for the latency
// figures, when the oldest live bar it works on arrived.
import type { ThreadRunner } from './thread-runner.ts';

/**
 * Per thread: which published step last carried a bar, whether this step found it busy already (one
 * overrun per step at most), and the arrival of the oldest live bar it has worked on since it was idle.
 */
export class ThreadPace {
  /** Counts the steps delivered, so that a thread counts at most one overrun per step. */
  #serial = 0;
  readonly #overran = new Map<ThreadRunner, number>();
  /** The last step published to a thread with a bar in it (a quality update alone is no bar). */
  readonly #barStep = new Map<ThreadRunner, number>();
  /** Threads with a bar among their queued notifications. */
  readonly #queuedBar = new Set<ThreadRunner>();
  /** The arrival (monotonic ms) of the live bar being stepped: NaN outside a live run. */
  arrivalMs = Number.NaN;
  readonly #since = new Map<ThreadRunner, number>();

  /** Starts a new step (or quality update). */
  nextStep(): void {
    this.#serial++;
  }

  /**
   * Notes a bar queued for `r`; returns true when it is the step's first to find `r` still busy with an
   * earlier bar: one overrun.
   */
  barQueued(r: ThreadRunner): boolean {
    this.#queuedBar.add(r);
    if (!r.busyWith(this.#barStep.get(r) ?? 0) || this.#overran.get(r) === this.#serial) return false;
    this.#overran.set(r, this.#serial);
    return true;
  }

  /** Notes that `r` was idle when a step was published to it: its latency is timed from this bar on. */
  idle(r: ThreadRunner): void {
    this.#since.set(r, this.arrivalMs);
  }

  /** Notes a step published to `r` (its number is `r.publishedStep`). */
  published(r: ThreadRunner): void {
    if (this.#queuedBar.delete(r)) this.#barStep.set(r, r.publishedStep);
  }

  /** Returns the arrival of the oldest live bar `r` has worked on since it was last idle (NaN if none). */
  since(r: ThreadRunner): number {
    return this.#since.get(r) ?? Number.NaN;
  }
}
