// The run loops' shared parts and the data-driven loop: steps until the data ends, the guard of inline
// strategy code over a slice of steps, and the gate that holds a paused run between steps (live: live-loop.ts).
import { monotonicMs, yieldToEventLoop } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import { faultInterruptedCall, type InterruptedCall } from '../strategy/host/inline-runner.ts';
import { runWithin, TimeLimitExceeded } from '../strategy/host/watchdog.ts';
import type { BetweenSteps } from './between-steps.ts';
import type { DataProcessor } from './data-processor.ts';
import type { ReplayPacer } from './pacer.ts';
import type { Stepper } from './stepper.ts';
import type { TickSchedule } from './tick-schedule.ts';

/** Holds a run between two steps while the engine is paused. */
export class PauseGate {
  #held: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Returns true while paused. */
  get paused(): boolean {
    return this.#held !== undefined;
  }

  /** Pauses; returns false when already paused. */
  pause(): boolean {
    if (this.#held) return false;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#held = { promise, resolve };
    return true;
  }

  /** Resumes; returns false when not paused. */
  resume(): boolean {
    const held = this.#held;
    if (!held) return false;
    this.#held = undefined;
    held.resolve();
    return true;
  }

  /** Returns a promise that resolves on resume, or undefined when not paused (so a hot loop need not await). */
  get hold(): Promise<void> | undefined {
    return this.#held?.promise;
  }
}

/** What both run loops step with. */
export interface LoopParts {
  readonly processor: DataProcessor;
  readonly stepper: Stepper;
  readonly between: BetweenSteps;
  readonly gate: PauseGate;
  /**
   * The time limit of a slice of steps while inline strategies run (see `StrategyManager.sliceLimitMs`);
   * undefined when none do, and the steps then run unguarded.
   */
  readonly sliceLimitMs: number | undefined;
  /** The scheduled strategies' ticks; absent when none has a `tick_interval` (the loops then never look). */
  readonly ticks?: TickSchedule | undefined;
}

/** A slice that V8 ended at its limit in an inline strategy's call (faulted since). */
class Cut {
  constructor(readonly call: InterruptedCall) {}
}

/**
 * Runs `slice` (synchronous steps) under the run's limit for inline strategy code. When V8 ends it at the
 * limit in an inline strategy's call, that strategy is faulted and the step it was in goes on from there
 * (`Stepper.resume`, guarded the same way), so that the other strategies see the step as if the faulted one
 * had returned nothing; then this returns what the step returns (a promise when it waits for a thread).
 * When no strategy code was running, the engine itself was that slow: the run fails, as its state cannot
 * be trusted.
 */
export function guardSlice<T>(
  limitMs: number | undefined,
  stepper: Stepper,
  slice: () => T,
): T | Promise<void> | undefined {
  if (limitMs === undefined) return slice();
  let out: T | Promise<void> | undefined | Cut = cutAt(limitMs, slice);
  while (out instanceof Cut) {
    const call: InterruptedCall = out.call;
    out = cutAt(limitMs, (): Promise<void> | undefined => stepper.resume(call));
  }
  return out;
}

function cutAt<T>(limitMs: number, slice: () => T): T | Cut {
  try {
    return runWithin(slice, limitMs);
  } catch (e) {
    if (!(e instanceof TimeLimitExceeded)) throw e;
    const call = faultInterruptedCall(limitMs);
    if (call !== undefined) return new Cut(call);
    throw new TradeflowError(
      'TF_ERR_INTERNAL',
      `a step did not finish within ${limitMs} ms while no strategy code was running; the run stops, as its state is uncertain`,
      { cause: e },
    );
  }
}

/** What the data-driven loop needs besides the parts. */
export interface DataLoopOptions {
  readonly pacer: ReplayPacer | undefined;
  /** Steps between looks at the time since the last progress report. */
  readonly every: number;
  /** At least this long between progress reports (and looks at the abort signal); 0: at every look. */
  readonly intervalMs: number;
  readonly abort: AbortSignal | undefined;
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

/**
 * Runs data-driven steps until the data ends or the abort signal fires; returns whether it was cancelled.
 * It reports progress and yields to the event loop about every `intervalMs` (looking at the time every
 * `every` steps, or after each step of a paced replay), so a Ctrl-C handler, any abort or a progress poll
 * gets to run during a long backtest. Only a pause, a change between steps, a replay's clock or a strategy
 * thread makes a step await: the hot path stays synchronous. The synchronous steps between two awaits form
 * a slice, run under the time limit of inline strategy code (see `guardSlice`): one guard per slice, as a
 * guard costs about 100 us.
 */
export async function runDataSteps(p: LoopParts, o: DataLoopOptions): Promise<boolean> {
  const { processor, stepper, between, gate } = p;
  const ticks = p.ticks;
  // A tick between two bars' times is a step of its own.
  const nextTime =
    ticks === undefined ? () => processor.nextTime() : () => Math.min(processor.nextTime(), ticks.next());
  let cancelled = o.abort?.aborted ?? false;
  let reported = monotonicMs();
  // On the beat, a paced step (it waited anyway) looks at the time after each step, so that a slow replay
  // still reports and cancels within about `intervalMs`; other steps look every `every` steps.
  const onBeat = (): boolean => {
    if (stepper.steps % o.every !== 0 && !(o.pacer && o.intervalMs > 0)) return false;
    const now = monotonicMs();
    // The same look tells the recorder the time: events reach the store at least every second.
    stepper.onTime(now);
    if (o.intervalMs > 0) {
      if (now - reported < o.intervalMs) return false;
      reported = now;
    }
    return true;
  };
  // Steps from `t` on while none needs to await: returns a step's wait, BEAT when it is time to report
  // and yield, or undefined when the next step needs the loop (a pause, a change between steps, a pacer).
  const slice = (t: number): Promise<void> | typeof BEAT | undefined => {
    for (;;) {
      const wait = stepper.step(t);
      if (wait) return wait;
      if (onBeat()) return BEAT;
      if (o.pacer) return undefined;
      t = nextTime();
      if (t === Infinity || gate.paused || between.dueBefore(t)) return undefined;
    }
  };
  await between.start();
  for (let t = cancelled ? Infinity : nextTime(); t !== Infinity; t = nextTime()) {
    const hold = gate.hold;
    if (hold) await hold;
    if (between.dueBefore(t)) {
      // Then look again: a joined symbol's next bar may come before the step planned.
      await between.before(t);
      continue;
    }
    if (o.pacer) {
      await o.pacer.waitFor(t);
      // Paused while waiting for the step's time: the step waits for the resume (back to the top).
      if (gate.paused) continue;
    }
    const at = t;
    let next = guardSlice(p.sliceLimitMs, stepper, () => slice(at));
    if (next instanceof Promise) {
      await next;
      next = onBeat() ? BEAT : undefined;
    }
    if (next !== BEAT) continue;
    o.onProgress?.(processor.publishedBaseBars, processor.totalBaseBars);
    await yieldToEventLoop();
    if (o.abort?.aborted) {
      cancelled = true;
      break;
    }
  }
  await between.end();
  await stepper.finish(cancelled);
  o.onProgress?.(processor.publishedBaseBars, processor.totalBaseBars);
  return cancelled;
}

const BEAT = Symbol('beat');
