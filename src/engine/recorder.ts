// Collects what a run produces for its result, and hands it to the store in batches cut at step boundaries.
import type { ExecutionListener } from '../execution/broker.ts';
import type { Fill, Order, Trade } from '../model/order.ts';
import type { EquityPoint, SignalRecord } from '../model/run.ts';
import type { RunBatch, RunStore, StoredRun } from '../storage/store.ts';

/** Options of a RunRecorder. */
export interface RunRecorderOptions {
  readonly runId: string;
  readonly store?: RunStore;
  /** Writes once this many events are pending (default 10,000). */
  readonly batchEvents?: number;
  /** Writes pending events at least this often, in ms of the monotonic time `onTime` is given (default 1000). */
  readonly flushEveryMs?: number;
  /** Hears each signal as it is recorded (the run's user events). */
  readonly onSignal?: (record: SignalRecord) => void;
}

/**
 * Collects what a run produces, keeps it for the result, and hands it to the store in batches cut at
 * step boundaries, so that a crash never leaves half of a step's orders, fills and trades written.
 * Batches go when 10,000 events are pending and at least every second of wall time, so that a run
 * killed mid-way keeps what it did up to about a second before. The recorder reads no clock: the run loop,
 * which looks at the monotonic time between steps anyway (core/clock.ts), hands it over (`onTime`).
 */
export class RunRecorder implements ExecutionListener {
  /** Latest state of each order, by id (ids count up from 1 in a run, so an array needs no hashing). */
  readonly #orders: Order[] = [];
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  readonly signals: SignalRecord[] = [];
  readonly equity: EquityPoint[] = [];
  readonly #store: RunStore | undefined;
  readonly #runId: string;
  readonly #batchEvents: number;
  /** Ids of the orders that changed since the last flush, in the order they first did. */
  #pendingOrders: number[] = [];
  /** For each order id, the flush its latest change waits for (so each id is listed once). */
  readonly #pendingIn: number[] = [];
  #flushes = 0;
  #fillsFrom = 0;
  #tradesFrom = 0;
  #signalsFrom = 0;
  #equityFrom = 0;
  readonly #flushEveryMs: number;
  /** The monotonic time of the last write by time (-Infinity: none yet, so the first look writes). */
  #flushedAt = -Infinity;
  /** Set when a live run commits each step itself (`takeBatch`): no batch goes by count or time then. */
  #byStep = false;
  readonly #onSignal: ((record: SignalRecord) => void) | undefined;

  constructor(options: RunRecorderOptions) {
    this.#runId = options.runId;
    this.#store = options.store;
    this.#batchEvents = options.batchEvents ?? 10_000;
    this.#flushEveryMs = options.flushEveryMs ?? 1000;
    this.#onSignal = options.onSignal;
  }

  onOrder(order: Order): void {
    this.#orders[order.id] = order;
    if (this.#store && this.#pendingIn[order.id] !== this.#flushes) {
      this.#pendingIn[order.id] = this.#flushes;
      this.#pendingOrders.push(order.id);
    }
  }

  onFill(fill: Fill): void {
    this.fills.push(fill);
  }

  onTrade(trade: Trade): void {
    this.trades.push(trade);
  }

  /** Records a signal; returns it so the caller can attach the order it became. */
  onSignal(record: SignalRecord): void {
    this.signals.push(record);
    this.#onSignal?.(record);
  }

  /** Records an equity point. */
  onEquity(point: EquityPoint): void {
    this.equity.push(point);
  }

  /** Returns the closed trades of one account, in the order they closed. */
  tradesOf(account: string): Trade[] {
    return this.trades.filter((t) => t.account === account);
  }

  /** Returns every order in id order, with its latest state. */
  get orders(): Order[] {
    return this.#orders.filter((o) => o !== undefined);
  }

  /** How many events wait for the next batch. */
  get #pending(): number {
    return (
      this.#pendingOrders.length +
      (this.fills.length - this.#fillsFrom) +
      (this.trades.length - this.#tradesFrom) +
      (this.signals.length - this.#signalsFrom) +
      (this.equity.length - this.#equityFrom)
    );
  }

  /** Writes pending events when enough have gathered; call only between steps. */
  maybeFlush(): void {
    if (this.#store && !this.#byStep && this.#pending >= this.#batchEvents) this.flush();
  }

  /**
   * From now on, events leave only through `takeBatch` (a live run committing each step with its state) or
   * the final `flush`, so that no batch holds part of a step apart from the state after it.
   */
  commitBySteps(): void {
    this.#byStep = true;
  }

  /**
   * Takes what a resumed live run had stored as already written: its events are kept for the result and
   * never written again. Call before the first event.
   */
  preload(run: StoredRun): void {
    for (const o of run.orders) this.#orders[o.id] = o;
    this.fills.push(...run.fills);
    this.trades.push(...run.trades);
    this.signals.push(...run.signals);
    this.equity.push(...run.equity);
    this.#fillsFrom = this.fills.length;
    this.#tradesFrom = this.trades.length;
    this.#signalsFrom = this.signals.length;
    this.#equityFrom = this.equity.length;
  }

  /**
   * Called between steps with the monotonic time in ms (the run loop's look at the time: every 16 steps of a
   * backtest, after each step of a replay or a live run): writes pending events when a second has passed
   * since the last write by time, or when enough have gathered.
   */
  onTime(nowMs: number): void {
    if (!this.#store || this.#byStep) return;
    if (nowMs - this.#flushedAt >= this.#flushEveryMs) {
      this.#flushedAt = nowMs;
      this.flush();
    } else this.maybeFlush();
  }

  /** Writes every pending event in one batch (nothing when none is pending); call only between steps. */
  flush(): void {
    if (!this.#store || this.#pending === 0) return;
    this.#store.writeBatch(this.#runId, this.takeBatch());
  }

  /** Returns every pending event as one batch and counts them written (the caller writes it); between steps only. */
  takeBatch(): RunBatch {
    const batch: RunBatch = {
      orders: this.#pendingOrders.map((id) => this.#orders[id]!),
      fills: this.fills.slice(this.#fillsFrom),
      trades: this.trades.slice(this.#tradesFrom),
      signals: this.signals.slice(this.#signalsFrom),
      equity: this.equity.slice(this.#equityFrom),
    };
    this.#pendingOrders = [];
    this.#flushes++;
    this.#fillsFrom = this.fills.length;
    this.#tradesFrom = this.trades.length;
    this.#signalsFrom = this.signals.length;
    this.#equityFrom = this.equity.length;
    return batch;
  }
}
