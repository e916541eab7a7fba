// What the engine and a strategy thread exchange: the thread's start data, control requests and messages.
import type { CalendarSpec } from '../../config/session-config.ts';
import type { SeriesDescriptor } from '../../data/session-data.ts';
import type { Interval } from '../../model/interval.ts';
import type { Order } from '../../model/order.ts';
import type { MessagePort } from 'node:worker_threads';
import type { ChannelBuffers } from './channel.ts';
import type { StrategyEvent } from './order-events.ts';

/** What a strategy thread receives once, at start. */
export interface StrategyWorkerData {
  readonly file: string;
  readonly className: string;
  readonly name: string;
  readonly config: unknown;
  readonly channel: ChannelBuffers;
  /** Every series of the session: read in place, never copied. */
  readonly series: readonly SeriesDescriptor[];
  /** Symbol names by id (positions are kept by id in the shared state). */
  readonly symbols: readonly string[];
  /** The strategy's subscriptions; a notification names one by its index here. */
  readonly subscriptions: readonly (readonly [string, Interval])[];
  /** Each symbol's calendar, for `ctx.sessionOf`. */
  readonly calendars: readonly SymbolCalendar[];
  /** Where control requests wait (read synchronously when a Kind.Control notification comes). */
  readonly control: MessagePort;
  /** Where order events wait (one EventsMessage read synchronously per Kind.Events notification). */
  readonly events: MessagePort;
  /** `setup_timeout_ms` and `teardown_timeout_ms` of its entry. */
  readonly setupTimeoutMs: number;
  readonly teardownTimeoutMs: number;
  /** `max_offheap_mb` of its entry: the off-heap growth since setup past which the thread is faulted. */
  readonly maxOffheapMb: number;
}

/** A symbol's trading calendar. */
export interface SymbolCalendar {
  readonly symbol: string;
  readonly spec: CalendarSpec;
}

/**
 * A control request to a strategy thread, handled between notifications, in queue order:
 * - `join`: a symbol joined the session (it takes the next symbol id); the thread learns its series and
 *   calendar, tells the strategy (`onSymbolAdded`) and replies with the strategy's subscriptions now;
 * - `ask`: replies with the strategy's subscriptions now;
 * - `use`: the subscriptions the engine routes to the thread from now on (notifications name them by
 *   index in this list), with the series the thread has not seen yet; replies `{}`.
 */
export type ControlRequest =
  | {
      readonly op: 'join';
      readonly symbol: string;
      readonly series: readonly SeriesDescriptor[];
      readonly calendar: SymbolCalendar;
    }
  | { readonly op: 'ask' }
  | {
      readonly op: 'use';
      readonly subscriptions: readonly (readonly [string, Interval])[];
      readonly series: readonly SeriesDescriptor[];
    };

/** A strategy thread's reply to a control request: the subscriptions asked for, or why it could not. */
export interface ControlReply {
  readonly subscriptions?: readonly (readonly [string, Interval])[];
  readonly error?: string;
}

/** Messages a strategy thread sends (rare: start, logs, stop). */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly ok: boolean; readonly reason?: string; readonly degraded?: string }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  /** The module is imported and the strategy constructed: its setup starts now. */
  | { readonly type: 'loaded' }
  /** Teardown is done; `late` says why it was given up on, when it did not finish in time. */
  | { readonly type: 'stopped'; readonly late?: string };

/**
 * What one Kind.Events notification carries: the strategy's order events of a step (oldest first), or a
 * resumed run's working orders to put into its book without events.
 */
export type EventsMessage =
  { readonly events: readonly StrategyEvent[] } | { readonly seed: readonly Order[] };

/**
 * Offsets in the shared state block (Float64): the time, the first account's cash and equity, then per
 * symbol id (`Stride` values each, so the block grows at its end when a symbol joins) the strategy's
 * position and the symbol's last close (NaN before its first bar).
 */
export const State = { Now: 0, Cash: 1, Equity: 2, Positions: 3, Stride: 2, Close: 1 } as const;

/** Returns the length of the shared state block for `symbols` symbol ids. */
export function stateLength(symbols: number): number {
  return State.Positions + State.Stride * symbols;
}
