// Runs a strategy in its own worker thread, fed through a shared-memory ring and waited for by ThreadSync.
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { delay } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Interval } from '../../model/interval.ts';
import type { Order } from '../../model/order.ts';
import type { Signal } from '../../model/signal.ts';
import {
  MetricsWriter,
  offheapOverLimit,
  type ProcessingHistogram,
  readHistogram,
  readMetrics,
  sharedMetrics,
  type ProcessingMetrics,
} from './metrics.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { StrategyContext, Subscription } from '../base-strategy.ts';
import type { StrategyKind } from '../registry.ts';
import type { SetupOutcome } from './hooks.ts';
import { Lifecycle } from './lifecycle.ts';
import { READY_GRACE_MS, spawnThread, type ThreadLimits } from './thread-spawn.ts';
import type { JoinRequest, Placement, StrategyRunner } from './runner.ts';
import type { ThreadSync } from './thread-sync.ts';
import { createChannel, entry, float64View, Kind, ProducerChannel } from './channel.ts';
import type { StrategyEvent } from './order-events.ts';
import {
  type ControlReply,
  type ControlRequest,
  type EventsMessage,
  State,
  stateLength,
  type StrategyWorkerData,
} from './protocol.ts';

const NONE: readonly Signal[] = Object.freeze([]);

/** Options of a thread runner. */
export interface ThreadRunnerOptions {
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  /** The run's side of its strategy threads: it queues, publishes and waits for this one. */
  readonly sync: ThreadSync;
  readonly subscriptions: readonly Subscription[];
  readonly queueSize: number;
  /** Polls before sleeping on the channel (see DEFAULT_SPIN); 0 when threads outnumber the cores. */
  readonly spin?: number;
  /** The engine's step group cell, shared by all its threads (see step-group.ts). */
  readonly group?: SharedArrayBuffer;
  readonly log: Logger;
  readonly limits: ThreadLimits;
  readonly worker: Omit<
    StrategyWorkerData,
    | 'channel'
    | 'subscriptions'
    | 'control'
    | 'events'
    | 'setupTimeoutMs'
    | 'teardownTimeoutMs'
    | 'maxOffheapMb'
  >;
}

/**
 * Runs a strategy in its own worker thread. `deliver` hands a notification to the run's ThreadSync, which
 * pushes it into the thread's ring (`push`), publishes the step (`publish`), and later collects the step's
 * signals once the thread is done (`collect`). A thread that crashes or overruns its step budget is marked
 * faulted; the run goes on.
 */
export class ThreadRunner implements StrategyRunner {
  readonly name: string;
  readonly index: number;
  readonly kind: StrategyKind;
  readonly placement: Placement;
  readonly lifecycle: Lifecycle;
  readonly queues = true;
  #subs: readonly Subscription[];
  readonly #channel: ProducerChannel;
  readonly #buffers: ReturnType<typeof createChannel>;
  readonly #control: MessagePort;
  /** Where the strategy's order events are posted, one message per Kind.Events notification. */
  readonly #events: MessagePort;
  /** Symbol ids in the shared state (the last closes written before each step). */
  #symbols: number;
  #state: Float64Array;
  #quality: Float64Array;
  readonly #metrics: Float64Array;
  readonly #mainMetrics: MetricsWriter;
  readonly #o: ThreadRunnerOptions;
  readonly #data: StrategyWorkerData;
  #worker: Worker | undefined;
  #faulted: string | undefined;
  #degraded: string | undefined;
  #pending = false;
  #stopped: (() => void) | undefined;
  /** The thread said it stopped, or exited: nothing left to wait for. */
  #ended = false;
  /** Why the thread gave its teardown up (past `teardown_timeout_ms`), when it did. */
  #lateTeardown: string | undefined;

  constructor(o: ThreadRunnerOptions) {
    this.name = o.worker.name;
    this.index = o.index;
    this.kind = o.kind;
    this.placement = o.placement;
    this.lifecycle = new Lifecycle(this.name);
    this.#o = o;
    this.#subs = o.subscriptions;
    const metrics = sharedMetrics();
    this.#metrics = metrics;
    // The processor's side writes only the overrun and drop counters of the same block.
    this.#mainMetrics = new MetricsWriter(metrics);
    const buffers = createChannel({
      capacity: o.queueSize,
      symbols: o.worker.symbols.length,
      subscriptions: o.subscriptions.length,
      metrics: metrics.buffer as SharedArrayBuffer,
      ...(o.spin === undefined ? {} : { spin: o.spin }),
      ...(o.group === undefined ? {} : { group: o.group }),
    });
    this.#channel = new ProducerChannel(buffers);
    this.#buffers = buffers;
    this.#state = float64View(buffers.state);
    this.#quality = float64View(buffers.quality);
    const { port1, port2 } = new MessageChannel();
    // Read with receiveMessageOnPort only: it needs no listener and must not keep the process alive.
    port1.unref();
    this.#control = port1;
    const events = new MessageChannel();
    events.port1.unref();
    this.#events = events.port1;
    this.#symbols = o.worker.symbols.length;
    this.#data = {
      ...o.worker,
      channel: buffers,
      subscriptions: o.subscriptions.map(([s, i]) => [s, i] as const),
      control: port2,
      events: events.port2,
      setupTimeoutMs: o.limits.setupMs,
      teardownTimeoutMs: o.limits.teardownMs,
      maxOffheapMb: o.limits.maxOffheapMb,
    };
  }

  /** Returns the strategy's subscriptions, in the order notifications refer to them. */
  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  /** Returns why the strategy runs without its model, or undefined when it has it (or needs none). */
  get degraded(): string | undefined {
    return this.#degraded;
  }

  /** Returns why the thread was stopped by force, or undefined while it is healthy. */
  get faulted(): string | undefined {
    return this.#faulted;
  }

  /** Returns the figures the thread has written so far. */
  metrics(): ProcessingMetrics {
    return readMetrics(this.#metrics);
  }

  /** Returns the processing-time histogram the thread has written so far. */
  histogram(): ProcessingHistogram {
    return readHistogram(this.#metrics);
  }

  /** Returns true while the thread has not finished the last step published to it. */
  get busy(): boolean {
    return this.#faulted === undefined && this.#channel.done < this.#channel.step;
  }

  /** Returns the number of the last step published to the thread (steps count from 1). */
  get publishedStep(): number {
    return this.#channel.step;
  }

  /** Returns true while the thread has not finished step `step` (false once faulted). */
  busyWith(step: number): boolean {
    return this.#faulted === undefined && this.#channel.done < step;
  }

  /** Counts a bar that reached this thread while it was still busy with an earlier one. */
  recordOverrun(): void {
    this.#mainMetrics.overrun();
  }

  /** Drops the oldest queued notification (the drop_oldest policy); true when one was dropped. */
  dropOldest(): boolean {
    const v = this.#channel.dropOldest();
    if (v < 0) return false;
    // Only bar notifications count as dropped; a skipped quality update is superseded by the next one.
    if (v >>> 24 === Kind.Bar) this.#mainMetrics.dropped();
    return true;
  }

  /** Returns the notifications waiting in the ring. */
  get queued(): number {
    return this.#channel.queued;
  }

  /** Starts the thread; it imports the module, constructs the strategy and runs its setup there. */
  async start(_ctx: StrategyContext): Promise<SetupOutcome> {
    this.lifecycle.to('starting');
    const outcome = await this.#spawn();
    if (outcome.ok) {
      // A thread may crash right after it said it was ready: it started, and is faulted already.
      if (this.lifecycle.state === 'starting') this.lifecycle.to('running');
      this.#o.sync.add(this);
    } else if (this.lifecycle.state === 'starting') this.lifecycle.to('stopped', outcome.reason);
    return outcome.ok ? { ok: true } : outcome;
  }

  #spawn(): Promise<SetupOutcome> {
    const { worker, started } = spawnThread(this.#data, this.#o.limits, this.index, {
      log: this.#o.log,
      onStopped: (late) => {
        if (late !== undefined) this.#lateTeardown = late;
        this.#ended = true;
        this.#stopped?.();
      },
      onCrash: (why) => this.#fault(`the strategy thread crashed: ${why}`),
      onExit: (code, refused) => {
        this.#ended = true;
        // A thread whose setup refused ends on its own: that is not a crash.
        if (this.#stopped === undefined && !refused)
          this.#fault(`the strategy thread exited with code ${code}`);
        this.#stopped?.();
      },
    });
    this.#worker = worker;
    return started.then((outcome) => {
      if (outcome.ok) this.#degraded = outcome.degraded;
      return outcome;
    });
  }

  /** Updates the state the strategy reads through its context: the time and the account's cash and equity. */
  setClock(nowMs: number, cash: number, equity: number): void {
    this.#state[State.Now] = nowMs;
    this.#state[State.Cash] = cash;
    this.#state[State.Equity] = equity;
  }

  /** Copies each symbol's last close (by symbol id) into the shared state, for `ctx.targetPercent`. */
  setCloses(lastClose: (symbolId: number) => number): void {
    const state = this.#state;
    for (let id = 0, at = State.Positions + State.Close; id < this.#symbols; id++, at += State.Stride) {
      state[at] = lastClose(id);
    }
  }

  /** Mirrors the strategy's position in a symbol (after each of its fills). */
  setPosition(symbolId: number, quantity: number): void {
    if (symbolId >= 0) this.#state[State.Positions + State.Stride * symbolId] = quantity;
  }

  /** Mirrors a subscription's bar quality. */
  setQuality(subscription: number, quality: number): void {
    this.#quality[subscription] = quality;
  }

  /** Makes room in the shared state for the position of a symbol that joined (`symbols` ids in all). */
  addSymbols(symbols: number): void {
    this.#state = float64View(this.#buffers.state, stateLength(symbols));
    this.#symbols = symbols;
  }

  /** Routes `subscriptions` to the thread from now on (send it the same list with a `use` request). */
  setSubscriptions(subscriptions: readonly Subscription[]): void {
    this.#subs = subscriptions;
    this.#quality = float64View(this.#buffers.quality, subscriptions.length);
  }

  /**
   * Queues a control request (handled after what is already queued); false when the ring is full. Publish,
   * wait until done, then read the answer with `takeReply`.
   */
  enqueueControl(request: ControlRequest): boolean {
    if (this.#faulted !== undefined || !this.#channel.hasRoom) return false;
    this.#control.postMessage(request);
    this.#channel.push(entry(Kind.Control, 0));
    this.#pending = true;
    return true;
  }

  /** Returns the thread's reply to the last control request, once the step that carried it is done. */
  takeReply(): ControlReply | undefined {
    return receiveMessageOnPort(this.#control)?.message as ControlReply | undefined;
  }

  /** Pushes a notification (a bar by default) of subscription `k` into the ring; false when it is full. */
  push(k: number, kind: Kind = Kind.Bar): boolean {
    if (this.#faulted !== undefined) return true;
    if (!this.#channel.hasRoom) return false;
    this.#channel.push(entry(kind, k));
    this.#pending = true;
    return true;
  }

  /** Returns true when notifications are queued but not yet published. */
  get hasPending(): boolean {
    return this.#pending;
  }

  /** Returns true when the thread has notifications queued but not published and can take them (not faulted). */
  get publishable(): boolean {
    return this.#pending && this.#faulted === undefined;
  }

  /**
   * Publishes the queued notifications as one step, counted in the step group `groupTag` if not 0 (then
   * the thread must be idle); returns false when nothing was queued.
   */
  publish(groupTag = 0): boolean {
    if (!this.#pending || this.#faulted !== undefined) return false;
    this.#pending = false;
    this.#channel.publish(groupTag);
    return true;
  }

  /** Waits up to `timeoutMs` for the published step; true when it is done (or the thread is faulted). */
  waitDone(timeoutMs: number): boolean {
    if (this.#faulted !== undefined) return true;
    return this.#channel.waitDone(this.#channel.step, timeoutMs);
  }

  /** Returns the signals the thread has left so far (all of them once it is done with its last step). */
  collect(): readonly Signal[] {
    if (this.#faulted !== undefined) return NONE;
    const overMb = offheapOverLimit(this.#metrics);
    if (overMb > 0) {
      const grown = this.metrics().offheapMb ?? 0;
      this.terminate(
        `its off-heap memory grew ${grown.toFixed(0)} MB since setup, past its limit of ${overMb} MB (max_offheap_mb); raise strategies[${this.index}].max_offheap_mb if it needs more`,
      );
      return NONE;
    }
    const text = this.#channel.takeOutbox();
    if (text === '') return NONE;
    try {
      return JSON.parse(text) as Signal[];
    } catch (e) {
      this.terminate(`its signals could not be read back (${(e as Error).message})`);
      return NONE;
    }
  }

  /** Ends the thread by force and marks it faulted with the reason. */
  terminate(reason: string): void {
    this.#fault(reason);
    void this.#worker?.terminate();
  }

  /**
   * Asks the thread to finish its queue and run teardown; terminates it after `timeoutMs` (default: its
   * `teardown_timeout_ms`, and a second more for the thread to say it gave its teardown up).
   */
  async stop(timeoutMs = this.#o.limits.teardownMs + READY_GRACE_MS): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    // A faulted thread is ended by force; one that ended on its own (its setup refused) needs no wait.
    if (this.#faulted !== undefined || this.#ended) {
      await worker.terminate();
      return;
    }
    if (this.lifecycle.can('stopping')) this.lifecycle.to('stopping');
    const stopped = new Promise<void>((resolve) => (this.#stopped = resolve));
    this.#channel.stop();
    const wait = delay(timeoutMs);
    const outcome = await Promise.race([
      stopped.then(() => 'stopped' as const),
      wait.promise.then(() => 'late' as const),
    ]);
    wait.cancel();
    if (outcome === 'late') {
      this.#o.log.error(`strategy ${this.name}: its thread did not stop within ${timeoutMs} ms; terminated`);
      this.#faulted ??= `did not stop within ${timeoutMs} ms`;
      if (this.lifecycle.can('faulted')) this.lifecycle.to('faulted', this.#faulted);
    } else if (this.#lateTeardown !== undefined) {
      this.#o.log.error(`strategy ${this.name}: ${this.#lateTeardown}; terminated`);
      this.#faulted ??= this.#lateTeardown;
      if (this.lifecycle.can('faulted')) this.lifecycle.to('faulted', this.#faulted);
    } else if (this.lifecycle.can('stopped')) this.lifecycle.to('stopped');
    await worker.terminate();
  }

  deliver(sub: number): readonly Signal[] {
    this.#o.sync.enqueue(this, sub);
    return NONE;
  }

  deliverEvents(events: readonly StrategyEvent[]): void {
    this.#post({ events });
  }

  seedOrders(orders: readonly Order[]): void {
    this.#post({ seed: orders });
  }

  /** Posts order events and queues their notification, so the thread takes them before what is queued after. */
  #post(message: EventsMessage): void {
    if (this.#faulted !== undefined) return;
    this.#events.postMessage(message);
    this.#o.sync.enqueue(this, 0, Kind.Events);
  }

  deliverTick(_ts: number): readonly Signal[] {
    // The thread reads the tick's time from the step's clock and builds the snapshot in place.
    this.#o.sync.enqueue(this, 0, Kind.Tick);
    return NONE;
  }

  deliverQuality(sub: number, _symbol: string, _interval: Interval, quality: number): void {
    this.setQuality(sub, quality);
    this.#o.sync.enqueue(this, sub, Kind.Quality);
  }

  async restate(joined?: JoinRequest): Promise<readonly Subscription[] | string> {
    const reply = await this.#o.sync.request(this, joined ?? { op: 'ask' });
    return reply.error ?? reply.subscriptions ?? 'the strategy thread sent no subscriptions';
  }

  async use(
    subscriptions: readonly Subscription[],
    newSeries: readonly SeriesDescriptor[],
  ): Promise<string | undefined> {
    const before = this.#subs;
    // First, so that the shared quality block has room for the new ones when the thread reads them.
    this.setSubscriptions(subscriptions);
    const reply = await this.#o.sync.request(this, {
      op: 'use',
      subscriptions: subscriptions.map(([s, i]) => [s, i] as const),
      series: newSeries,
    });
    if (reply.error === undefined) return undefined;
    this.setSubscriptions(before);
    return reply.error;
  }

  /** Waits for the thread of a strategy that did not start to be gone. */
  release(): Promise<void> {
    return this.stop(1000);
  }

  #fault(reason: string): void {
    if (this.#faulted !== undefined) return;
    this.#faulted = reason;
    if (this.lifecycle.can('faulted')) this.lifecycle.to('faulted', reason);
    this.#o.log.error(`strategy ${this.name}: ${reason}; the run goes on without it`);
  }
}
