// Events for users: a typed emitter of what a run does (signals, orders, fills, trades, positions, risk
// refusals, strategy errors), fed from the accounts' listeners, the router and the host's error reports.
import type { Logger } from '../core/logger.ts';
import type { Fill, Order, OrderEvent, Trade } from '../model/order.ts';
import type { Signal } from '../model/signal.ts';

/** A strategy's signal as routed, with the order it became in its first account (if any). */
export interface SignalEvent {
  readonly kind: 'signal';
  readonly ts: number;
  readonly strategy: string;
  readonly signal: Signal;
  readonly orderId?: number;
}

/** One event of an order (accepted, filled, cancelled, ...), with the order as it stands after it. */
export interface OrderEventRecord {
  readonly kind: 'order';
  readonly ts: number;
  readonly event: OrderEvent;
  readonly order: Order;
  /** Why a cancel or replace was refused, or why the order was rejected or cancelled. */
  readonly reason?: string;
}

/** One execution of an order. */
export interface FillEvent {
  readonly kind: 'fill';
  readonly ts: number;
  readonly fill: Fill;
}

/** A closed round trip. */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly ts: number;
  readonly trade: Trade;
}

/** A strategy's position in one account and symbol after a fill (quantity 0: flat, avgPrice 0 then). */
export interface PositionEvent {
  readonly kind: 'position';
  readonly ts: number;
  readonly account: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly quantity: number;
  readonly avgPrice: number;
}

/** An order a risk rule refused before it reached the broker. */
export interface RiskEvent {
  readonly kind: 'risk';
  readonly ts: number;
  readonly rule: string;
  readonly reason: string;
  readonly order: Order;
}

/** A strategy's hook error or fault, as the engine reports it (inline and thread strategies alike). */
export interface ErrorEvent {
  readonly kind: 'error';
  readonly ts: number;
  readonly strategy: string;
  readonly message: string;
}

/** Every event a run emits, by kind. */
export interface RunEventMap {
  signal: SignalEvent;
  order: OrderEventRecord;
  fill: FillEvent;
  trade: TradeEvent;
  position: PositionEvent;
  risk: RiskEvent;
  error: ErrorEvent;
}

/** The kinds of events, in the order the docs list them. */
export const RUN_EVENT_KINDS = ['signal', 'order', 'fill', 'position', 'trade', 'risk', 'error'] as const;

/** One event of any kind. */
export type RunEvent = RunEventMap[keyof RunEventMap];

type Listener<K extends keyof RunEventMap> = (event: RunEventMap[K]) => void;

/**
 * A typed emitter of a run's events: subscribe with `on(kind, fn)` or `onAny(fn)`, then pass it to
 * `runBacktest` (or `Engine.create`) as `events`. Listeners are called synchronously, in the order the
 * run produces the events; a listener that throws is counted (`listenerErrors`) and logged once, and the
 * run goes on.
 */
export class RunEvents {
  readonly #byKind = new Map<keyof RunEventMap, Listener<keyof RunEventMap>[]>();
  readonly #any: ((event: RunEvent) => void)[] = [];
  #log: Logger | undefined;
  /** How many times a listener threw. */
  listenerErrors = 0;

  /** Adds a listener for one kind of event; returns a function that removes it. */
  on<K extends keyof RunEventMap>(kind: K, fn: Listener<K>): () => void {
    const list = this.#byKind.get(kind) ?? [];
    list.push(fn as Listener<keyof RunEventMap>);
    this.#byKind.set(kind, list);
    return () => {
      const i = list.indexOf(fn as Listener<keyof RunEventMap>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Adds a listener for every event; returns a function that removes it. */
  onAny(fn: (event: RunEvent) => void): () => void {
    this.#any.push(fn);
    return () => {
      const i = this.#any.indexOf(fn);
      if (i >= 0) this.#any.splice(i, 1);
    };
  }

  /** Returns true when any listener is attached (a run without listeners wires nothing). */
  get listened(): boolean {
    if (this.#any.length > 0) return true;
    for (const list of this.#byKind.values()) if (list.length > 0) return true;
    return false;
  }

  /** Says where a throwing listener is reported (the run's logger); set by the engine. */
  useLogger(log: Logger): void {
    this.#log = log;
  }

  /** Hands an event to its listeners; a listener's error is counted and the first one logged. */
  emit(event: RunEvent): void {
    const list = this.#byKind.get(event.kind);
    if (list) for (const fn of list) this.#call(fn, event);
    for (const fn of this.#any) this.#call(fn, event);
  }

  #call(fn: (e: never) => void, event: RunEvent): void {
    try {
      (fn as (e: RunEvent) => void)(event);
    } catch (e) {
      // A user's hook must not break the run: it is counted, and said once so a broken hook is seen.
      if (++this.listenerErrors === 1) {
        this.#log?.error(
          `an event listener threw on ${/^[aeiou]/.test(event.kind) ? 'an' : 'a'} ${event.kind} event: ${e instanceof Error ? e.message : String(e)}; ` +
            'the run goes on (later listener errors are only counted)',
        );
      }
    }
  }
}
