// The `feed` part of a live run's result: how its feed ended, what it turned away, and the latency from a
// bar's arrival to its orders.
import type { SystemMetrics } from '../engine/kernel.ts';

/** A live run's feed in the result (absent from other runs). */
export interface FeedJson {
  /** `completed` (the source ran out), `failed` (it gave up: the run is `interrupted`) or `stopped`. */
  readonly outcome: 'completed' | 'failed' | 'stopped';
  readonly reason: string;
  /** Messages and bars turned away, per kind. */
  readonly rejected: {
    readonly malformed: number;
    readonly duplicate: number;
    readonly out_of_order: number;
    readonly unknown_stream: number;
    readonly refused: number;
  };
  readonly reconnects: number;
  /** Orders submitted from live signals, and the time from their bar's arrival to each (microseconds). */
  readonly latency: {
    readonly orders: number;
    readonly p50_us: number;
    readonly p99_us: number;
    readonly max_us: number;
  };
}

const us = (ms: number) => Math.round(ms * 1000);

/** Shapes a live run's feed figures; undefined for a run without a feed. */
export function feedJson(system: SystemMetrics): FeedJson | undefined {
  const { feed, liveLatency: l } = system;
  if (feed.end === undefined) return undefined;
  const r = feed.rejected;
  return {
    outcome: feed.end.outcome,
    reason: feed.end.reason,
    rejected: {
      malformed: r.malformed,
      duplicate: r.duplicate,
      out_of_order: r['out-of-order'],
      unknown_stream: r['unknown-stream'],
      refused: r.refused,
    },
    reconnects: feed.reconnects,
    latency: { orders: l.count, p50_us: us(l.p50Ms), p99_us: us(l.p99Ms), max_us: us(l.maxMs) },
  };
}
