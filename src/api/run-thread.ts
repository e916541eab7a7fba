// The server's side of one run's worker thread: started ahead of need under a heap limit, it checks a
// backtest request's strategies, then runs it, or runs a screen; its progress, each screened ticker and its
// log come back as messages, a stop request that is not heeded within a grace period terminates it, and it
// says how it ended.
import { Worker } from 'node:worker_threads';
import type { SessionConfig } from '../config/session-config.ts';
import { delay } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { FieldProblem } from './errors.ts';
import type {
  HeapFigures,
  RunControlMessage,
  RunJob,
  RunWorkerMessage,
  SessionAction,
  SessionJob,
  SessionReply,
} from './run-protocol.ts';
import type { ScreenJob, TickerRecord } from './screen-runner.ts';
import { checkDeath, type Death, runDeath } from './thread-death.ts';

const BOOTSTRAP = new URL('./run-worker.mjs', import.meta.url);
const MIB = 1024 * 1024;

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

/** What a run needs around its thread. */
export interface RunHooks {
  /** How long a stop request may take before the thread is terminated, in ms. */
  readonly stopGraceMs: number;
  readonly logger: Logger;
  readonly onProgress: (done: number, total: number) => void;
  /**
   * Records a screen's ticker (must not throw); the thread goes on to its next ticker once this returns.
   */
  readonly onTicker?: (record: TickerRecord) => void;
}

/**
 * A worker thread that runs backtests and screens off the server's event loop: an endless loop in a
 * strategy or a screener holds only this thread, `process.exit` in user code (or in a module's top-level
 * code) ends only this thread, and the thread's heap is capped (`resourceLimits`), so one run cannot take
 * the server's memory. It serves one request at a time: `check`, then `run` if the check found no problem;
 * or `screen`.
 */
export class RunThread {
  readonly #worker: Worker;
  readonly #heapLimitMb: number;
  #heap: HeapFigures = { usedBytes: 0, peakBytes: 0 };
  /** Why the thread ended, once it has. */
  #death: Death | undefined;
  #terminating = false;
  #onChecked: ((problems: FieldProblem[]) => void) | undefined;
  #onEnd: ((end: ThreadEnd) => void) | undefined;
  #hooks: RunHooks | undefined;
  #grace: { cancel(): void } | undefined;
  /** Whether a check or a run is in progress. */
  #busy = false;

  /** Starts the thread: it loads the engine and waits for a request. */
  constructor(heapLimitMb: number) {
    this.#heapLimitMb = heapLimitMb;
    this.#worker = new Worker(BOOTSTRAP, {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMb },
    });
    this.#worker.on('message', (m: RunWorkerMessage) => this.#message(m));
    this.#worker.on('error', (e: Error & { code?: string }) => {
      this.#die(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { kind: 'heap', message: e.message }
          : { kind: 'crash', message: e.message },
      );
    });
    this.#worker.on('exit', (code) => this.#die({ kind: 'exit', code }));
  }

  /** Returns whether the thread is alive and idle: it can take a request. */
  get usable(): boolean {
    return this.#death === undefined && !this.#terminating && !this.#busy;
  }

  /** Lets the process exit while this thread waits for a request (a spare). */
  unref(): void {
    this.#worker.unref();
  }

  /** Keeps the process alive while this thread works. */
  ref(): void {
    this.#worker.ref();
  }

  /** Returns the thread's heap as last reported: in use and its peak, in bytes, and the limit. */
  get heap(): HeapFigures & { readonly limitBytes: number } {
    return { ...this.#heap, limitBytes: this.#heapLimitMb * MIB };
  }

  /**
   * Imports the request's strategy modules and checks their configs inside the thread; resolves with the
   * problems found. A module that ends the thread or does not load within `timeoutMs` is a problem.
   */
  check(config: SessionConfig, root: string, timeoutMs: number): Promise<FieldProblem[]> {
    this.#busy = true;
    return new Promise((resolve) => {
      const timer = delay(timeoutMs);
      let timedOut = false;
      this.#onChecked = (problems) => {
        timer.cancel();
        this.#onChecked = undefined;
        this.#busy = false;
        resolve(problems);
      };
      void timer.promise.then(() => {
        timedOut = true;
        this.terminate();
      });
      this.#onDeathWhileChecking = (death) => {
        const message = timedOut
          ? `the strategy modules did not load within ${timeoutMs} ms (does a module run a long loop at import?); nothing ran`
          : checkDeath(death, this.#heapLimitMb);
        this.#onChecked?.([{ path: 'config.strategies', message }]);
      };
      if (this.#death !== undefined) this.#onDeathWhileChecking(this.#death);
      else this.#post({ type: 'check', config, root });
    });
  }

  #onDeathWhileChecking: ((death: Death) => void) | undefined;

  /**
   * Runs the job; resolves once, with how it ended. After a result or a failure the thread is idle again
   * and warm: the server may give it the next request (see RunManager), as a fresh thread runs its first
   * backtest several times slower.
   */
  run(job: RunJob, hooks: RunHooks): Promise<ThreadEnd> {
    return this.#start({ type: 'run', job }, hooks);
  }

  /**
   * Runs a screen; resolves once, with how it ended (a result of 'completed' or 'stopped'). Each ticker
   * goes to `hooks.onTicker` before the thread screens the next one.
   */
  screen(job: ScreenJob, hooks: RunHooks): Promise<ThreadEnd> {
    return this.#start({ type: 'screen', job }, hooks);
  }

  /**
   * Runs a live or replay session; resolves once, with how it ended. While it runs, `ask` reads its
   * snapshot and controls it.
   */
  session(job: SessionJob, hooks: RunHooks): Promise<ThreadEnd> {
    return this.#start({ type: 'session', job }, hooks);
  }

  /**
   * Asks the running session for its snapshot or to act; resolves with its reply, or undefined when it has
   * not answered within `timeoutMs` (its thread is busy, say in a strategy's loop) or the run has ended.
   */
  ask(action: SessionAction, timeoutMs: number): Promise<SessionReply | undefined> {
    if (this.#onEnd === undefined || this.#death !== undefined) return Promise.resolve(undefined);
    const id = ++this.#lastAsk;
    return new Promise((resolve) => {
      const timer = delay(timeoutMs);
      const answer = (reply: SessionReply | undefined) => {
        timer.cancel();
        this.#asks.delete(id);
        resolve(reply);
      };
      this.#asks.set(id, answer);
      void timer.promise.then(() => answer(undefined));
      this.#post({ type: 'session-request', id, action });
    });
  }

  #lastAsk = 0;
  /** The session requests not yet answered, by id. */
  readonly #asks = new Map<number, (reply: SessionReply | undefined) => void>();

  #start(message: RunControlMessage, hooks: RunHooks): Promise<ThreadEnd> {
    this.#busy = true;
    this.#hooks = hooks;
    this.#heap = { usedBytes: 0, peakBytes: 0 };
    return new Promise((resolve) => {
      this.#onEnd = (end) => {
        this.#onEnd = undefined;
        for (const answer of [...this.#asks.values()]) answer(undefined);
        this.#grace?.cancel();
        this.#grace = undefined;
        this.#hooks = undefined;
        this.#busy = false;
        resolve(end);
      };
      if (this.#death !== undefined)
        this.#onEnd({ kind: 'died', error: runDeath(this.#death, this.#heapLimitMb) });
      else this.#post(message);
    });
  }

  /**
   * Asks the run to stop at its next progress check; if the thread has not ended within the grace period
   * (a strategy that never returns, a setup that never settles), terminates it.
   */
  stop(reason: 'cancel' | 'interrupt' = 'cancel'): void {
    if (this.#onEnd === undefined || this.#grace !== undefined || this.#hooks === undefined) return;
    this.#post({ type: 'stop', reason });
    const grace = delay(this.#hooks.stopGraceMs);
    this.#grace = grace;
    void grace.promise.then(() => this.terminate());
  }

  /** Terminates the thread now (a run then ends as terminated, unless it had ended already). */
  terminate(): void {
    if (this.#terminating) return;
    this.#terminating = true;
    void this.#worker.terminate();
  }

  #post(m: RunControlMessage): void {
    this.#worker.postMessage(m);
  }

  #message(m: RunWorkerMessage): void {
    switch (m.type) {
      case 'checked':
        this.#onChecked?.([...m.problems]);
        break;
      case 'progress':
        this.#heap = m.heap;
        this.#hooks?.onProgress(m.done, m.total);
        break;
      case 'ticker':
        this.#heap = m.heap;
        this.#hooks?.onTicker?.(m.record);
        if (this.#onEnd !== undefined) this.#post({ type: 'recorded' });
        break;
      case 'log':
        this.#hooks?.logger[m.level](m.msg, m.fields);
        break;
      case 'session-reply':
        this.#asks.get(m.id)?.(m.reply);
        break;
      case 'done':
        this.#heap = m.heap;
        this.#onEnd?.({ kind: 'result', result: m.result });
        break;
      case 'failed':
        this.#heap = m.heap;
        this.#onEnd?.({ kind: 'failed', error: m.error });
        break;
    }
  }

  /** The thread ended (the first reason told is kept: an error comes before its exit). */
  #die(death: Death): void {
    this.#death ??= death;
    if (this.#onChecked !== undefined) this.#onDeathWhileChecking?.(this.#death);
    this.#onEnd?.(
      this.#terminating
        ? { kind: 'terminated' }
        : { kind: 'died', error: runDeath(this.#death, this.#heapLimitMb) },
    );
  }
}
