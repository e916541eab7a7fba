// The engine's side of the strategy threads: queueing their notifications, publishing steps to them and
// waiting for them as the run's wait policy says, with overruns (a bar due while still busy) counted.
import { monotonicMs, yieldToEventLoop } from '../../core/clock.ts';
import type { Signal } from '../../model/signal.ts';
import { Kind } from './channel.ts';
import { requestReply } from './control.ts';
import type { ControlReply, ControlRequest } from './protocol.ts';
import { createStepGroup, StepGroup } from './step-group.ts';
import { ThreadPace } from './thread-pace.ts';
import type { ThreadRunner } from './thread-runner.ts';
import type { BackpressureMonitor } from './backpressure.ts';
import type { WaitPolicy } from './wait-policy.ts';

/** A thread strategy's entry settings that rule how it is fed and waited for. */
export interface ThreadPolicy {
  readonly stepTimeoutMs: number;
  readonly queueSize: number;
  readonly onQueueFull: 'block' | 'drop_oldest';
  readonly onBackpressure: 'warn' | 'pause';
}

// How long the processor sleeps in one piece while waiting for a thread before it lets Node's event loop
// run, so that a crashed thread's exit event is seen.
export const WAIT_SLICE_MS = 50;
/** How long a backtest step may keep waiting for a thread before that counts as backpressure. */
const READINESS_WARN_MS = 1000;

/** What the synchronizer needs from the strategy manager. */
export interface ThreadSyncOptions {
  readonly backpressure: BackpressureMonitor;
  /** How the run waits for its strategies, chosen once per run. */
  readonly wait: WaitPolicy;
  readonly quality: (symbol: string, interval: string) => number;
  /** Returns the cash a strategy reads: its first account's. */
  readonly cash: (strategy: string) => number;
  /** Returns the equity a strategy reads: its first account's. */
  readonly equity: (strategy: string) => number;
  /** Returns a symbol's last close, by symbol id (NaN before its first bar). */
  readonly lastClose: (symbolId: number) => number;
  /** Returns the engine clock's time (what a thread reads as now when it handles a control request). */
  readonly now: () => number;
  /**
   * Receives the signals a thread left, as they are taken, with the arrival time (monotonic ms) of the
   * oldest live bar the thread was working on since it was last idle (NaN outside a live run).
   */
  readonly take: (runner: ThreadRunner, signals: readonly Signal[], arrivalMs: number) => void;
}

/**
 * The processor's side of the strategy threads: queues their notifications (with the queue-full
 * policy), publishes a step to each, and waits for them: for all in a backtest (one step group when
 * several are notified), at most the step's budget in a replay, never inside a live step (the live loop
 * waits between bars, `settle`). A thread counts an overrun when a bar is delivered to it while it is
 * still busy with an earlier one: its next bar was due and it was not ready. Signals go to `take` as they
 * are collected.
 */
export class ThreadSync {
  readonly threads: ThreadRunner[] = [];
  readonly #o: ThreadSyncOptions;
  readonly #policies = new Map<ThreadRunner, ThreadPolicy>();
  readonly #published: ThreadRunner[] = [];
  /** Threads still busy when a clock or live step moved on; their signals are taken every step. */
  readonly #late: ThreadRunner[] = [];
  /** The step group cell shared by every thread (see step-group.ts). */
  readonly groupCell = createStepGroup();
  #group = new StepGroup(this.groupCell, 0);
  /** Whether the threads published last counted out of one step group. */
  #grouped = false;
  /** The time of the step being delivered (NaN for a quality update): what a thread reads as now. */
  #stepMs = Number.NaN;
  /** Overruns and latency marks per thread (a replay or a live run). */
  readonly pace = new ThreadPace();

  constructor(o: ThreadSyncOptions) {
    this.#o = o;
  }

  /** Sets how many times the processor polls before it sleeps on a step group (0 with more threads than cores). */
  setSpin(spin: number): void {
    this.#group = new StepGroup(this.groupCell, spin);
  }

  /** Registers a thread strategy's policy (before it starts). */
  setPolicy(runner: ThreadRunner, policy: ThreadPolicy): void {
    this.#policies.set(runner, policy);
  }

  /** Adds a started thread. */
  add(runner: ThreadRunner): void {
    // In registration order, whichever thread finished its setup first: publishing, collecting and their
    // logs then come in the same order on every run.
    const at = this.threads.findIndex((t) => t.index > runner.index);
    if (at < 0) this.threads.push(runner);
    else this.threads.splice(at, 0, runner);
  }

  /** Returns true when a published thread has not been collected yet. */
  get waiting(): boolean {
    return this.#published.length > 0;
  }

  /** Waits for busy threads (a step that waits for all), letting the event loop run; a thread past its step budget is terminated. */
  async finish(): Promise<void> {
    const started = monotonicMs();
    const warned = new Set<ThreadRunner>();
    while (!this.collectReady(WAIT_SLICE_MS)) {
      await yieldToEventLoop();
      const waited = monotonicMs() - started;
      for (const r of this.#published) {
        const { stepTimeoutMs: limit, onBackpressure } = this.policy(r);
        // A busy machine can delay any thread by a slice or two; a step this slow is worth a warning.
        if (!warned.has(r) && waited > Math.min(READINESS_WARN_MS, limit / 2)) {
          warned.add(r);
          this.#o.backpressure.report(
            r.name,
            'readiness',
            onBackpressure,
            `still busy after ${Math.round(waited)} ms`,
          );
        }
        if (r.faulted === undefined && waited > limit) {
          r.terminate(`step timeout: still busy after ${limit} ms (step_timeout_ms); terminated`);
        }
      }
    }
  }

  /** Waits for every thread to finish what it was given (end of a replay or live run), then collects. */
  async drainAll(): Promise<void> {
    // Every thread, busy or not: one that finished after the last step it was notified of still holds the
    // signals of that step in its outbox.
    for (const r of this.threads) if (!this.#published.includes(r)) this.#published.push(r);
    if (!this.collectReady(WAIT_SLICE_MS)) await this.finish();
  }

  policy(r: ThreadRunner): ThreadPolicy {
    return this.#policies.get(r)!;
  }

  /** Starts delivering a step at `nowMs` (NaN: a quality update, which leaves the threads' clock alone). */
  beginStep(nowMs: number): void {
    this.#stepMs = nowMs;
    this.pace.nextStep();
  }

  /** Queues a notification for a thread, by the queue-full policy: block until there is room, or drop the oldest. */
  enqueue(runner: ThreadRunner, sub: number, kind: Kind = Kind.Bar): void {
    const policy = this.policy(runner);
    // A backtest waits for every thread before the next step: only a replay or a live run can find one
    // busy. Busy with a quality update alone is no overrun: that update came with this bar's step.
    if (kind === Kind.Bar && !this.#o.wait.waitsForAll && this.pace.barQueued(runner)) {
      runner.recordOverrun();
      this.#o.backpressure.report(
        runner.name,
        'overruns',
        policy.onBackpressure,
        'its next bar was due while it was still busy',
      );
    }
    if (runner.queued >= policy.queueSize * 0.8) {
      this.#o.backpressure.report(
        runner.name,
        'queue',
        policy.onBackpressure,
        `${runner.queued} of ${policy.queueSize} queued`,
      );
    }
    while (!runner.push(sub, kind)) {
      if (policy.onQueueFull === 'drop_oldest' || this.#o.wait.dropsWhenFull) {
        // Never hold up a live feed: drop the oldest notification and count it.
        if (runner.dropOldest()) continue;
      }
      // "block": hand over what is queued and wait for room.
      // This loop does not let the event loop run, so a crashed thread is never marked faulted here: the
      // step timeout ends a thread that does not make room. Taking its outbox while waiting lets a thread
      // that finished an earlier step with signals finish this one.
      this.#publish(runner, this.#stepMs);
      const started = monotonicMs();
      while (!runner.waitDone(WAIT_SLICE_MS)) {
        this.#takeSignals(runner);
        if (runner.faulted !== undefined) return;
        if (monotonicMs() - started > policy.stepTimeoutMs) {
          runner.terminate(
            `step timeout: still busy after ${policy.stepTimeoutMs} ms (step_timeout_ms); terminated`,
          );
          return;
        }
      }
      this.#takeSignals(runner);
    }
  }

  /**
   * Publishes every thread with queued notifications. When the step waits for all of them (`waitAll`), no
   * thread is busy and more than one has work, they count out of one step group, so that the processor is
   * woken once per step.
   */
  publishAll(waitAll: boolean): void {
    const threads = this.threads;
    const nowMs = this.#stepMs;
    let tag = 0;
    if (waitAll && this.#published.length === 0) {
      let n = 0;
      let busy = false;
      for (const r of threads) {
        if (r.publishable) n++;
        if (r.busy) busy = true;
      }
      if (n > 1 && !busy) tag = this.#group.begin(n);
    }
    for (const r of threads) this.#publish(r, nowMs, tag);
    this.#grouped = tag !== 0;
  }

  #publish(r: ThreadRunner, nowMs: number, groupTag = 0): void {
    if (!r.hasPending) return;
    if (!this.#o.wait.waitsForAll && !r.busy) {
      // Idle: what it left belongs to the bars before, and its latency is timed from this bar on.
      this.#takeSignals(r);
      this.pace.idle(r);
    }
    this.#prepare(r, nowMs);
    if (!r.publish(groupTag)) return;
    this.pace.published(r);
    if (!this.#published.includes(r)) this.#published.push(r);
  }

  /**
   * Updates what the thread reads in place: the time, cash, equity and last closes (unless `nowMs` is NaN),
   * and its qualities.
   */
  #prepare(r: ThreadRunner, nowMs: number): void {
    if (nowMs === nowMs) {
      r.setClock(nowMs, this.#o.cash(r.name), this.#o.equity(r.name));
      r.setCloses(this.#o.lastClose);
    }
    const subs = r.subscriptions();
    for (let k = 0; k < subs.length; k++) r.setQuality(k, this.#o.quality(subs[k]![0], subs[k]![1]));
  }

  /** Collects the signals of threads that are done; true when none is left busy. */
  collectReady(sliceMs: number): boolean {
    const published = this.#published;
    if (this.#grouped) {
      // Once the group has counted down, every thread in it is done; past the slice, wait for each.
      this.#grouped = false;
      if (this.#group.wait(sliceMs)) {
        for (const r of published) this.#takeSignals(r);
        published.length = 0;
        return true;
      }
      this.#group.abandon();
    }
    for (let i = 0; i < published.length;) {
      const r = published[i]!;
      if (r.waitDone(sliceMs)) {
        this.#takeSignals(r);
        published.splice(i, 1);
      } else {
        // A thread that finished an earlier step with signals waits for them to be taken before it can
        // finish this one.
        this.#takeSignals(r);
        i++;
      }
    }
    return published.length === 0;
  }

  /**
   * A step with a budget (replay, live): waits at most `budgetMs` in total for the published threads and
   * collects what they have left so far; one still busy catches up from its queue, is collected at each
   * later step or `settle`, and counts an overrun if a bar reaches it before it is done.
   */
  moveOn(budgetMs: number): void {
    const deadline = monotonicMs() + budgetMs;
    const published = this.#published;
    // Threads that overran earlier steps hand over what they have finished since, every step.
    const late = this.#late;
    for (let i = 0; i < late.length;) {
      const r = late[i]!;
      this.#takeSignals(r);
      if (!r.busy || published.includes(r)) late.splice(i, 1);
      else i++;
    }
    for (const r of published) {
      const left = deadline - monotonicMs();
      if (left > 0) r.waitDone(left);
      this.#takeSignals(r);
      if (r.busy) {
        if (!late.includes(r)) late.push(r);
        const { avgMs } = r.metrics();
        if (budgetMs > 0 && avgMs > budgetMs) {
          this.#o.backpressure.report(
            r.name,
            'slow',
            this.policy(r).onBackpressure,
            `${avgMs.toFixed(3)} ms per bar, ${budgetMs.toFixed(3)} ms between bars`,
          );
        }
      }
    }
    published.length = 0;
  }

  /** Returns true while a thread the last steps moved on from is still busy or not yet collected. */
  get lagging(): boolean {
    return this.#late.length > 0;
  }

  /**
   * Between two live bars: waits at most `sliceMs` in all for the threads still busy, and collects what
   * they have left; returns true when none is left busy. It blocks the engine's thread for the slice, so
   * the caller lets the event loop run (the feed) between calls.
   */
  settle(sliceMs: number): boolean {
    const late = this.#late;
    const deadline = monotonicMs() + sliceMs;
    for (let i = 0; i < late.length;) {
      const r = late[i]!;
      const left = deadline - monotonicMs();
      if (left > 0) r.waitDone(left);
      this.#takeSignals(r);
      if (r.busy) i++;
      else late.splice(i, 1);
    }
    return late.length === 0;
  }

  request(r: ThreadRunner, request: ControlRequest): Promise<ControlReply> {
    return requestReply(r, request, {
      stepTimeoutMs: this.policy(r).stepTimeoutMs,
      sliceMs: WAIT_SLICE_MS,
      takeSignals: () => this.#takeSignals(r),
      prepare: () => this.#prepare(r, this.#o.now()),
    });
  }

  #takeSignals(r: ThreadRunner): void {
    const out = r.collect();
    if (out.length > 0) this.#o.take(r, out, this.pace.since(r));
  }
}
