// The server's side of one run's worker thread: starts it under a heap limit, relays its progress and log,
// asks it to stop and terminates it when it does not, and says how it ended.
import { Worker } from 'node:worker_threads';
import { delay } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { HeapFigures, RunControlMessage, RunWorkerData, RunWorkerMessage } from './run-protocol.ts';

const BOOTSTRAP = new URL('./run-worker.mjs', import.meta.url);

/** How a run's thread ended. */
export type ThreadEnd =
  /** The run ended and sent its result (completed, or cancelled at a progress check). */
  | { readonly kind: 'result'; readonly result: unknown }
  /** The run failed inside the thread with this error (a coded error when it has one). */
  | { readonly kind: 'failed'; readonly error: string }
  /** The thread ended without an answer: a strategy called process.exit, it crashed, or ran out of heap. */
  | { readonly kind: 'died'; readonly error: string }
  /** The thread did not stop within the grace period after a stop request and was terminated. */
  | { readonly kind: 'terminated' };

/** How to run one run's thread. */
export interface RunThreadOptions {
  readonly job: RunWorkerData;
  /** The thread's V8 heap limit (old generation), in MiB. */
  readonly heapLimitMb: number;
  /** How long a stop request may take before the thread is terminated, in ms. */
  readonly stopGraceMs: number;
  readonly logger: Logger;
  readonly onProgress: (done: number, total: number) => void;
}

const MIB = 1024 * 1024;

/**
 * One run in its own worker thread, off the server's event loop: an endless loop in a strategy holds only
 * this thread, `process.exit` in a strategy ends only this thread, and the thread's heap is capped
 * (`resourceLimits`), so one run cannot take the server's memory. `ended` settles exactly once.
 */
export class RunThread {
  readonly ended: Promise<ThreadEnd>;
  readonly #o: RunThreadOptions;
  readonly #worker: Worker;
  #heap: HeapFigures = { usedBytes: 0, peakBytes: 0 };
  #end: ThreadEnd | undefined;
  #terminating = false;
  #grace: { cancel(): void } | undefined;

  constructor(o: RunThreadOptions) {
    this.#o = o;
    let settle: (end: ThreadEnd) => void = () => {};
    this.ended = new Promise((resolve) => (settle = resolve));
    const worker = new Worker(BOOTSTRAP, {
      workerData: o.job,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: o.heapLimitMb },
    });
    this.#worker = worker;
    const finish = (end: ThreadEnd) => {
      if (this.#end !== undefined) return;
      this.#end = end;
      this.#grace?.cancel();
      settle(end);
      // The answer is in: whatever the thread still holds (a strategy's timers) goes with it.
      if (end.kind === 'result' || end.kind === 'failed') void worker.terminate();
    };
    worker.on('message', (m: RunWorkerMessage) => {
      switch (m.type) {
        case 'progress':
          this.#heap = m.heap;
          o.onProgress(m.done, m.total);
          break;
        case 'log':
          o.logger[m.level](`run ${o.job.runId}: ${m.msg}`, m.fields);
          break;
        case 'done':
          this.#heap = m.heap;
          finish({ kind: 'result', result: JSON.parse(m.result) as unknown });
          break;
        case 'failed':
          this.#heap = m.heap;
          finish({ kind: 'failed', error: m.error });
          break;
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      finish({
        kind: 'died',
        error:
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `the run went over its heap limit of ${o.heapLimitMb} MiB and its thread was ended (${e.message}); ` +
              'raise the limit (tradeflow serve --run-heap-mb) or run less data or fewer strategies at once'
            : `the run's thread crashed: ${e.message}`,
      });
    });
    worker.on('exit', (code) => {
      finish(
        this.#terminating
          ? { kind: 'terminated' }
          : {
              kind: 'died',
              error: `the run's thread exited with code ${code} before the run ended (a strategy called process.exit, or its code ended the thread)`,
            },
      );
    });
  }

  /** Returns the thread's heap as last reported: in use and its peak, in bytes, and the limit. */
  get heap(): HeapFigures & { readonly limitBytes: number } {
    return { ...this.#heap, limitBytes: this.#o.heapLimitMb * MIB };
  }

  /**
   * Asks the run to stop at its next progress check; if the thread has not ended within the grace period
   * (a strategy that never returns, a setup that never settles), terminates it.
   */
  stop(): void {
    if (this.#end !== undefined || this.#grace !== undefined) return;
    const stop: RunControlMessage = { type: 'stop' };
    this.#worker.postMessage(stop);
    const grace = delay(this.#o.stopGraceMs);
    this.#grace = grace;
    void grace.promise.then(() => this.terminate());
  }

  /** Terminates the thread now; `ended` then settles as terminated (unless it had ended already). */
  terminate(): void {
    if (this.#end !== undefined) return;
    this.#terminating = true;
    void this.#worker.terminate();
  }
}
