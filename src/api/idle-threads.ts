// The run thread kept warm between requests, so that a run seldom waits for a thread to start.
import { RunThread } from './run-thread.ts';

/**
 * The run thread kept between requests: at most one idle thread, warm from the run it served, so
 * that a run seldom waits for a thread to start (a fresh thread runs its first backtest several
 * times slower). State a strategy or screener module keeps at its top level therefore lives on into later runs in
 * that thread, as it would in one process; a thread that was terminated or died is never kept.
 */
export class IdleThreads {
  readonly #heapLimitMb: number;
  #idle: RunThread | undefined;
  #closed = false;

  constructor(heapLimitMb: number) {
    this.#heapLimitMb = heapLimitMb;
  }

  /** Returns the idle thread when it is alive, or a new one. */
  take(): RunThread {
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle?.usable === true) {
      idle.ref();
      return idle;
    }
    idle?.terminate();
    return new RunThread(this.#heapLimitMb);
  }

  /** Takes back a thread whose request or run is over: kept when alive and none is kept yet, or terminated. */
  release(thread: RunThread): void {
    if (thread.usable && this.#idle === undefined && !this.#closed) {
      thread.unref();
      this.#idle = thread;
    } else thread.terminate();
  }

  /** Starts a thread ahead of the first request, so that it finds one loaded (a server that has just started). */
  prestart(): void {
    if (this.#idle !== undefined || this.#closed) return;
    this.#idle = new RunThread(this.#heapLimitMb);
    this.#idle.unref();
  }

  /** Terminates the idle thread and keeps none from now on. */
  close(): void {
    this.#closed = true;
    this.#idle?.terminate();
    this.#idle = undefined;
  }
}
