// The shared-memory channel between the engine and one strategy thread: notification ring, steps, outbox.
import { monotonicMs } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import { stateLength } from './protocol.ts';
import { countOut, createStepGroup } from './step-group.ts';

/**
 * The notification channel between the data processor and one strategy thread, in shared memory: a
 * bounded single-producer ring of notifications, a step sequence the processor publishes, and a done
 * sequence the strategy publishes back with the step's signals in an outbox. No message per bar: the
 * processor writes, stores the step number and wakes the thread; the thread spins briefly, then sleeps
 * with Atomics.wait.
 */

/**
 * Slots of the control block (Int32): notifications written and consumed (monotonic), the last step
 * whose notifications are all written, the last step the strategy finished (its signals in the outbox),
 * the outbox's byte length, the stop request, the step group tag of the last step (see step-group.ts;
 * 0 for none), and the first ring slot.
 */
const Ctl = { Write: 0, Read: 1, Step: 2, Done: 3, OutLen: 4, Stop: 5, Group: 6, Ring: 8 } as const;

/**
 * Notification kinds, in the high byte of a ring entry: a bar of a subscription, its quality, a control
 * request waiting on the thread's control port (a symbol joined, subscriptions changed), order events
 * waiting on its events port, or a scheduled tick (at the step's time, which the thread reads from its
 * state).
 */
export const Kind = { Bar: 0, Quality: 1, Control: 2, Events: 3, Tick: 4 } as const;
/** A notification kind. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Shared buffers of one channel; sent to the worker once. */
export interface ChannelBuffers {
  readonly control: SharedArrayBuffer;
  readonly outbox: SharedArrayBuffer;
  /** Float64: [now, cash, equity, (position, last close) per symbol id...] (see State); grows when a symbol joins. */
  readonly state: SharedArrayBuffer;
  /** Float64: the bar quality of each subscription; grows when the subscriptions do. */
  readonly quality: SharedArrayBuffer;
  readonly metrics: SharedArrayBuffer;
  /** The step group cell shared by every thread of the engine (see step-group.ts). */
  readonly group: SharedArrayBuffer;
  readonly capacity: number;
  /** How many times each side polls before it sleeps (0: sleep at once). */
  readonly spin: number;
}

/**
 * Polls before sleeping: a short spin saves the few microseconds of a wake-up when each side has a core
 * to itself. With more threads than cores, spinning only takes time from the thread being waited for.
 */
export const DEFAULT_SPIN = 2000;

/**
 * Past its spin, a thread that has a core to itself keeps polling until a little after its next step is
 * due, judged from the gaps between its recent steps, but never longer than this: a live feed's bars a
 * fraction of a millisecond apart then reach `onBars` without the ~10 us of a wake-up from sleep.
 */
export const MAX_ADAPTIVE_SPIN_MS = 0.5;

/** Returns how many times each side polls before it sleeps, for `threads` strategy threads on `cores` cores. */
export function spinFor(threads: number, cores: number): number {
  // The engine's thread and every strategy thread want a core; past that, polling steals time.
  return threads + 1 <= cores ? DEFAULT_SPIN : 0;
}
const OUTBOX_BYTES = 1 << 16;
/** The most symbols a session can hold, as a thread's shared state sees them. */
export const MAX_SYMBOLS = 1 << 16;
/** The most subscriptions one strategy can have (a ring entry names one in 24 bits). */
export const MAX_SUBSCRIPTIONS = 1 << 16;

/**
 * Returns a Float64Array over all of a growable buffer as it is now, growing it first to hold `length`
 * values. (A fixed-length view reads faster than a length-tracking one; make it again after a growth.)
 */
export function float64View(buffer: SharedArrayBuffer, length = 0): Float64Array {
  if (length * 8 > buffer.maxByteLength) {
    throw new TradeflowError(
      'TF_ERR_SUBSCRIPTION',
      `a strategy thread's shared state holds at most ${buffer.maxByteLength / 8} values (symbols or subscriptions); ${length} asked for`,
    );
  }
  if (buffer.byteLength < length * 8) buffer.grow(length * 8);
  return new Float64Array(buffer, 0, buffer.byteLength / 8);
}

/** Allocates a channel for a queue of `capacity` notifications. */
export function createChannel(options: {
  capacity: number;
  symbols: number;
  subscriptions: number;
  metrics: SharedArrayBuffer;
  group?: SharedArrayBuffer;
  spin?: number;
}): ChannelBuffers {
  return {
    control: new SharedArrayBuffer(4 * (Ctl.Ring + options.capacity)),
    outbox: new SharedArrayBuffer(OUTBOX_BYTES, { maxByteLength: 64 * OUTBOX_BYTES * 16 }),
    state: new SharedArrayBuffer(8 * stateLength(options.symbols), {
      maxByteLength: 8 * stateLength(MAX_SYMBOLS),
    }),
    quality: new SharedArrayBuffer(8 * options.subscriptions, { maxByteLength: 8 * MAX_SUBSCRIPTIONS }),
    metrics: options.metrics,
    group: options.group ?? createStepGroup(),
    capacity: options.capacity,
    spin: options.spin ?? DEFAULT_SPIN,
  };
}

/** Encodes a ring entry. */
export function entry(kind: Kind, subscription: number): number {
  return (kind << 24) | subscription;
}

/** The processor's side of a channel. */
export class ProducerChannel {
  readonly #ctl: Int32Array;
  readonly #outboxBuffer: SharedArrayBuffer;
  #outbox: Uint8Array;
  readonly #capacity: number;
  readonly #spin: number;
  #step = 0;
  #decoder = new TextDecoder();

  constructor(b: ChannelBuffers) {
    this.#ctl = new Int32Array(b.control);
    this.#outboxBuffer = b.outbox;
    this.#outbox = new Uint8Array(b.outbox);
    this.#capacity = b.capacity;
    this.#spin = b.spin;
  }

  /** Returns notifications written but not yet consumed. */
  get queued(): number {
    return Atomics.load(this.#ctl, Ctl.Write) - Atomics.load(this.#ctl, Ctl.Read);
  }

  /** Returns true when the ring has room for one more notification. */
  get hasRoom(): boolean {
    return this.queued < this.#capacity;
  }

  /** Writes a notification; the caller checks `hasRoom` first (overflow policy is the caller's). */
  push(value: number): void {
    const w = Atomics.load(this.#ctl, Ctl.Write);
    Atomics.store(this.#ctl, Ctl.Ring + (w % this.#capacity), value);
    Atomics.store(this.#ctl, Ctl.Write, w + 1);
  }

  /**
   * Drops the oldest queued notification to make room; returns it, or -1 when the thread took it first or
   * it is a control request or order events (a message waits on a port for exactly that entry).
   */
  dropOldest(): number {
    const r = Atomics.load(this.#ctl, Ctl.Read);
    if (r === Atomics.load(this.#ctl, Ctl.Write)) return -1;
    const v = Atomics.load(this.#ctl, Ctl.Ring + (r % this.#capacity));
    // A control request or order events are never dropped: a message waits on a port for exactly this entry.
    const kind = v >>> 24;
    if (kind === Kind.Control || kind === Kind.Events) return -1;
    return Atomics.compareExchange(this.#ctl, Ctl.Read, r, r + 1) === r ? v : -1;
  }

  /** Returns the last step the thread finished. */
  get done(): number {
    return Atomics.load(this.#ctl, Ctl.Done);
  }

  /**
   * Publishes the step's notifications and wakes the thread; returns the step number. With a step group
   * tag, the thread counts out of that group when it is done (publish only to an idle thread then).
   */
  publish(groupTag = 0): number {
    this.#step++;
    Atomics.store(this.#ctl, Ctl.Group, groupTag);
    Atomics.store(this.#ctl, Ctl.Step, this.#step);
    Atomics.notify(this.#ctl, Ctl.Step);
    return this.#step;
  }

  /** Returns the last published step. */
  get step(): number {
    return this.#step;
  }

  /** Returns true when the thread has finished `step`. */
  isDone(step: number): boolean {
    return Atomics.load(this.#ctl, Ctl.Done) >= step;
  }

  /** Spins, then sleeps up to `timeoutMs` for `step` to finish; returns whether it did. */
  waitDone(step: number, timeoutMs: number): boolean {
    const ctl = this.#ctl;
    for (let i = 0; i < this.#spin; i++) if (Atomics.load(ctl, Ctl.Done) >= step) return true;
    let done = Atomics.load(ctl, Ctl.Done);
    while (done < step) {
      if (Atomics.wait(ctl, Ctl.Done, done, timeoutMs) === 'timed-out')
        return Atomics.load(ctl, Ctl.Done) >= step;
      done = Atomics.load(ctl, Ctl.Done);
    }
    return true;
  }

  /** Reads the signals the thread has left (JSON text, '' when none) and frees the outbox for more. */
  takeOutbox(): string {
    const n = Atomics.load(this.#ctl, Ctl.OutLen);
    if (n === 0) return '';
    // The outbox may have grown since this view was made.
    if (this.#outbox.length < n) this.#outbox = new Uint8Array(this.#outboxBuffer);
    const text = this.#decoder.decode(this.#outbox.slice(0, n));
    Atomics.store(this.#ctl, Ctl.OutLen, 0);
    Atomics.notify(this.#ctl, Ctl.OutLen);
    return text;
  }

  /**
   * Asks the thread to stop once it has drained its queue: the stop rides on the step published here, so
   * a thread that sees the request while finishing an earlier step still serves this one before it exits.
   */
  stop(): void {
    Atomics.store(this.#ctl, Ctl.Stop, this.#step + 1);
    this.publish();
  }
}

/** The strategy thread's side of a channel. */
export class ConsumerChannel {
  readonly #ctl: Int32Array;
  readonly #outboxBuffer: SharedArrayBuffer;
  #outbox: Uint8Array;
  readonly #capacity: number;
  readonly #spin: number;
  readonly #encoder = new TextEncoder();
  readonly #group: Int32Array;
  /** When the last step was seen (monotonic ms), and a moving average of the gaps between steps. */
  #lastArrival = Number.NaN;
  #gapMs = Number.NaN;

  constructor(b: ChannelBuffers) {
    this.#ctl = new Int32Array(b.control);
    this.#group = new Int32Array(b.group);
    this.#outboxBuffer = b.outbox;
    this.#outbox = new Uint8Array(b.outbox);
    this.#capacity = b.capacity;
    this.#spin = b.spin;
  }

  /**
   * Waits until a step newer than `done` is published; returns it. Spins first (with a spin budget: for
   * `spin` polls, then until a little after the next step is due, up to MAX_ADAPTIVE_SPIN_MS), then sleeps.
   */
  awaitStep(done: number): number {
    const ctl = this.#ctl;
    if (this.#spin > 0) {
      for (let i = 0; i < this.#spin; i++) {
        const s = Atomics.load(ctl, Ctl.Step);
        if (s > done) return this.#arrived(s);
      }
      const until = this.#lastArrival + Math.min(MAX_ADAPTIVE_SPIN_MS, 1.5 * this.#gapMs);
      // NaN before two steps were seen: no adaptive spin.
      while (monotonicMs() < until) {
        for (let i = 0; i < 64; i++) {
          const s = Atomics.load(ctl, Ctl.Step);
          if (s > done) return this.#arrived(s);
        }
      }
    }
    for (;;) {
      Atomics.wait(ctl, Ctl.Step, done);
      const s = Atomics.load(ctl, Ctl.Step);
      if (s > done) return this.#arrived(s);
    }
  }

  #arrived(step: number): number {
    if (this.#spin === 0) return step;
    const now = monotonicMs();
    const gap = now - this.#lastArrival;
    if (gap === gap) this.#gapMs = this.#gapMs === this.#gapMs ? 0.75 * this.#gapMs + 0.25 * gap : gap;
    this.#lastArrival = now;
    return step;
  }

  /** Returns the step group tag the processor published with the step just awaited (0: none). */
  get groupTag(): number {
    return Atomics.load(this.#ctl, Ctl.Group);
  }

  /** Takes the next notification, or -1 when the ring is empty. */
  next(): number {
    const ctl = this.#ctl;
    for (;;) {
      const r = Atomics.load(ctl, Ctl.Read);
      if (r === Atomics.load(ctl, Ctl.Write)) return -1;
      const v = Atomics.load(ctl, Ctl.Ring + (r % this.#capacity));
      // The processor may have dropped this entry meanwhile (drop_oldest): then take the next one.
      if (Atomics.compareExchange(ctl, Ctl.Read, r, r + 1) === r) return v;
    }
  }

  /** Returns true once the processor asked to stop. */
  get stopping(): boolean {
    return Atomics.load(this.#ctl, Ctl.Stop) !== 0;
  }

  /** Returns true when `step` is the step that carries the stop request (or a later one): exit after it. */
  stopsAfter(step: number): boolean {
    const stop = Atomics.load(this.#ctl, Ctl.Stop);
    return stop !== 0 && step >= stop;
  }

  /**
   * Leaves the step's signals (JSON, '' for none) and marks the step done. When the processor has not
   * yet taken earlier signals (it moved on without waiting), this waits for it to take them first.
   * Returns false, leaving nothing and not marking the step, when the signals exceed the outbox's limit.
   * Marking a step of a step group (`groupTag`) also counts the thread out of the group.
   */
  complete(step: number, signalsJson: string, groupTag = 0): boolean {
    let fits = true;
    if (signalsJson !== '') {
      for (
        let len = Atomics.load(this.#ctl, Ctl.OutLen);
        len !== 0;
        len = Atomics.load(this.#ctl, Ctl.OutLen)
      ) {
        Atomics.wait(this.#ctl, Ctl.OutLen, len);
      }
      // Straight into the shared outbox: no bytes allocated per step. Only a payload larger than the
      // outbox is measured, and the outbox grown to the next power of two that holds it.
      const { read, written: first } = this.#encoder.encodeInto(signalsJson, this.#outbox);
      let written = first;
      if (read < signalsJson.length) {
        const size = this.#encoder.encode(signalsJson).length;
        fits = size <= this.#outboxBuffer.maxByteLength;
        if (!fits) return false;
        this.#outboxBuffer.grow(Math.min(this.#outboxBuffer.maxByteLength, 2 ** Math.ceil(Math.log2(size))));
        this.#outbox = new Uint8Array(this.#outboxBuffer);
        ({ written } = this.#encoder.encodeInto(signalsJson, this.#outbox));
      }
      Atomics.store(this.#ctl, Ctl.OutLen, written);
    }
    Atomics.store(this.#ctl, Ctl.Done, step);
    // In a step group the processor waits on the group, not on this thread (see step-group.ts).
    if (groupTag === 0 || !countOut(this.#group, groupTag)) Atomics.notify(this.#ctl, Ctl.Done);
    return fits;
  }
}
