// What a live run commits after each step so that it can resume: the bars it stepped and the state of its
// accounts, id counters and step counters.
import type { Interval } from './interval.ts';

/** A bar a live run received and stepped, as stored for its resume (close time, epoch ms UTC). */
export interface StoredBar {
  readonly symbol: string;
  readonly interval: Interval;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * A position and the round trip it belongs to, per (strategy, symbol): everything the portfolio needs to go
 * on building the trade it closes (entry time and sums, commission, the bar it was entered on).
 */
export interface BookState {
  readonly strategy: string;
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly entryTime: number;
  readonly entryQty: number;
  readonly entryValue: number;
  readonly exitQty: number;
  readonly exitValue: number;
  readonly realized: number;
  readonly commission: number;
  readonly maxAbsQty: number;
  /** The index of the entry bar in its symbol's series (a trade counts its bars from it). */
  readonly entryStep: number;
  readonly direction: 1 | -1;
}

/** One paper account after a step: its cash, its open books and the last close of each symbol it marked. */
export interface AccountState {
  readonly account: string;
  readonly cash: number;
  readonly books: readonly BookState[];
  /** The last close marked per symbol (symbols not yet marked are absent). */
  readonly marks: Readonly<Record<string, number>>;
}

/** The state of a live run after its last committed step. Working orders are the stored orders still open. */
export interface LiveState {
  /** Steps run so far, and how many ended with a position open. */
  readonly steps: number;
  readonly exposureSteps: number;
  /** The time of the last step (epoch ms UTC). */
  readonly lastTs: number;
  /** The next order, fill and trade ids (shared by the run's accounts). */
  readonly nextOrder: number;
  readonly nextFill: number;
  readonly nextTrade: number;
  readonly accounts: readonly AccountState[];
}

/** Returns the client order id of an order: deterministic, unique in a run, what a venue would be told. */
export function clientOrderId(runId: string, orderId: number): string {
  return `${runId}-${orderId}`;
}
