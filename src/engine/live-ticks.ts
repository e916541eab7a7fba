// Scheduled strategies in a live run: ticks on the wall clock between feed bars, each a step of its own.
import { type Clock, type Timer, WallClock, wallTimer } from '../core/clock.ts';
import type { LiveInbox } from './live.ts';
import type { TickSchedule } from './tick-schedule.ts';

/** The wall time a live run's ticks follow: its epoch time, and a timer to wait with (tests pass their own). */
export interface TickWall {
  readonly clock: Clock;
  readonly timer: Pick<Timer, 'after'>;
}

/** The real wall clock and timer. */
export const WALL: TickWall = { clock: new WallClock(), timer: wallTimer };

/**
 * Arms a timer for each next tick of a live run; when it fires, the inbox is woken, and the run loop steps
 * the ticks due (`due`). Ticks follow the wall clock from the run's start (multiples of each interval from
 * the epoch); a tick never goes back before the run's last step (one that falls due while bars of a later
 * time were being stepped is skipped).
 */
export class LiveTicks {
  readonly #schedule: TickSchedule;
  readonly #wall: TickWall;
  readonly #inbox: LiveInbox;
  #cancel: (() => void) | undefined;

  constructor(schedule: TickSchedule, wall: TickWall, inbox: LiveInbox) {
    this.#schedule = schedule;
    this.#wall = wall;
    this.#inbox = inbox;
  }

  /** Starts the ticks from now on, with no end. */
  start(): void {
    this.#schedule.restart(this.#wall.clock.now(), Number.POSITIVE_INFINITY);
    this.arm();
  }

  /** Waits for the next tick: the inbox is woken when it is due. */
  arm(): void {
    this.#cancel?.();
    const next = this.#schedule.next();
    if (next === Number.POSITIVE_INFINITY) return;
    this.#cancel = this.#wall.timer.after(next - this.#wall.clock.now(), () => {
      this.#cancel = undefined;
      this.#inbox.wake();
    });
  }

  /**
   * Returns the next tick time that is due by the wall clock and later than `lastStepMs`, or undefined
   * when none is; ticks due but not after the last step are skipped.
   */
  due(lastStepMs: number): number | undefined {
    const now = this.#wall.clock.now();
    const next = this.#schedule.next();
    if (next > now) return undefined;
    if (next > lastStepMs || lastStepMs !== lastStepMs) return next;
    this.#schedule.skipUntil(lastStepMs);
    return this.due(lastStepMs);
  }

  /** Stops waiting for ticks. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
