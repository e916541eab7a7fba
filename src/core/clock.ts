/**
 * The only module that reads wall time. Everything else asks a Clock, so a test can run a full trading
 * day in milliseconds with a TestClock and a backtest never depends on when it runs.
 */
export interface Clock {
  /** Returns the current time in epoch milliseconds (simulated or wall). */
  now(): number;
}

/** A clock whose time only moves when told to: backtests and tests. */
export class TestClock implements Clock {
  #nowMs: number;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  /** Sets the time; time never moves backwards. */
  set(tsMs: number): void {
    if (tsMs > this.#nowMs) this.#nowMs = tsMs;
  }

  /** Moves the time forward by `deltaMs`. */
  advance(deltaMs: number): void {
    this.#nowMs += deltaMs;
  }
}

/** The wall clock: live sessions and elapsed-time measurement. */
export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** Returns a monotonic high-resolution reading in milliseconds, for measuring durations only. */
export function monotonicMs(): number {
  return performance.now();
}

/** Lets pending callbacks (signal handlers, I/O) run before a long synchronous loop goes on. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` of wall time; `cancel` clears the timer (timeouts of thread shutdown and the like). */
export function delay(ms: number): { readonly promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** A timer that can be cancelled; cancelling twice, or after it fired, does nothing. */
export interface Cancellable {
  cancel(): void;
}

/** Calls `fn` once after `ms` of wall time unless cancelled first (reconnect backoff). */
export function afterMs(ms: number, fn: () => void): Cancellable {
  const timer = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(timer) };
}

/** Calls `fn` every `ms` of wall time until cancelled (heartbeat watchdogs). */
export function everyMs(ms: number, fn: () => void): Cancellable {
  const timer = setInterval(fn, ms);
  return { cancel: () => clearInterval(timer) };
}

/** Calls back after a wait in ms of its own time: wall time in a run, time moved by hand in a test. */
export interface Timer {
  /** Returns the timer's reading in ms (monotonic; only differences mean anything). */
  nowMs(): number;
  /** Calls `fn` once, after `ms` (0: on a later turn of the event loop); returns what cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** The wall-time timer: paced feeds (a replay, `feed serve`) and waits for a client's first message. */
export const wallTimer: Timer = {
  nowMs: monotonicMs,
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/**
 * Calls `fn` every `ms` of wall time until `cancel` (a terminal view's redraw). The timer does not keep the
 * process alive by itself: a command ends when its work ends, not when its display is told to stop.
 */
export function every(ms: number, fn: () => void): { cancel(): void } {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { cancel: () => clearInterval(timer) };
}
