// The step group: one countdown per data-driven step shared by every notified strategy thread.
import { monotonicMs } from '../../core/clock.ts';

/*
 * One countdown per data-driven step, shared by the processor and every strategy thread it notified:
 * the processor sets it to the number of threads, each thread counts itself out once it has left the
 * step's signals, and the last one wakes the processor, once. Without it the processor waits for each
 * thread in turn and, with more threads than cores, is woken once per thread per step.
 *
 * The cell holds a generation in its high byte and the count below. Each step of a group gets a new
 * generation (1..127), handed to its threads with the step; a thread counts out only from its own
 * generation, so one that finishes after the processor gave up on the group (and went on to wait for
 * each thread) cannot take a count from a later step.
 */

const GEN_SHIFT = 24;
const COUNT_MASK = (1 << GEN_SHIFT) - 1;

/** Allocates the shared cell of a step group. */
export function createStepGroup(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** The processor's side of a step group. */
export class StepGroup {
  readonly #cell: Int32Array;
  readonly #spin: number;
  #gen = 0;

  /** `spin`: how many times to poll before sleeping (0 when the threads outnumber the cores). */
  constructor(buffer: SharedArrayBuffer, spin: number) {
    this.#cell = new Int32Array(buffer);
    this.#spin = spin;
  }

  /** Starts a step that `threads` threads will count out of; returns the tag to publish to each of them. */
  begin(threads: number): number {
    this.#gen = (this.#gen % 127) + 1;
    Atomics.store(this.#cell, 0, (this.#gen << GEN_SHIFT) | threads);
    return this.#gen;
  }

  /**
   * Gives up on the current step's group: threads that have not counted out yet will wake the processor
   * on their own channel instead. (One that counted out before this has already marked its step done.)
   */
  abandon(): void {
    this.begin(0);
  }

  /** Spins, then sleeps up to `timeoutMs` until every thread of the step has counted out; returns whether all did. */
  wait(timeoutMs: number): boolean {
    const cell = this.#cell;
    const done = this.#gen << GEN_SHIFT;
    for (let i = 0; i < this.#spin; i++) if (Atomics.load(cell, 0) === done) return true;
    const deadline = monotonicMs() + timeoutMs;
    for (let v = Atomics.load(cell, 0); v !== done; v = Atomics.load(cell, 0)) {
      const left = deadline - monotonicMs();
      if (left <= 0) return false;
      Atomics.wait(cell, 0, v, left);
    }
    return true;
  }
}

/**
 * The thread's side: counts out of the step tagged `tag` (0: the step belongs to no group). Returns false
 * when the group has moved on (the processor stopped waiting for it and waits for each thread instead).
 */
export function countOut(cell: Int32Array, tag: number): boolean {
  if (tag === 0) return false;
  for (;;) {
    const v = Atomics.load(cell, 0);
    if (v >>> GEN_SHIFT !== tag || (v & COUNT_MASK) === 0) return false;
    if (Atomics.compareExchange(cell, 0, v, v - 1) === v) {
      if ((v & COUNT_MASK) === 1) Atomics.notify(cell, 0);
      return true;
    }
  }
}
