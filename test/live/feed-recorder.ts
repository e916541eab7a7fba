// Feed handlers for tests that keep what a feed reported (bars, rejects by kind, connection events, its
// end) and wait, with generous timeouts, until a condition on them holds.
import { expect, vi } from 'vitest';
import type {
  ConnectionEvent,
  FeedBar,
  FeedEnd,
  FeedHandlers,
  RejectKind,
} from '../../src/data/feeds/bar-feed.ts';

/** What a feed reported, in order, and the handlers that record it. */
export class FeedRecorder implements FeedHandlers {
  readonly bars: FeedBar[] = [];
  readonly rejects: { kind: RejectKind; problem: string }[] = [];
  readonly events: ConnectionEvent[] = [];
  /** Every call in order, as short strings (`bar`, `connected`, `backfilled 30`, `end failed`...). */
  readonly log: string[] = [];
  end: FeedEnd | undefined;
  /** Calls made after the end: a feed must make none. */
  afterEnd = 0;

  onBar(bar: FeedBar): void {
    if (this.end !== undefined) this.afterEnd++;
    this.bars.push(bar);
  }

  onReject(kind: RejectKind, problem: string): void {
    if (this.end !== undefined) this.afterEnd++;
    this.rejects.push({ kind, problem });
    this.log.push(`reject ${kind}`);
  }

  onConnection(event: ConnectionEvent): void {
    if (this.end !== undefined) this.afterEnd++;
    this.events.push(event);
    this.log.push(event.kind === 'backfilled' ? `backfilled ${event.bars}` : event.kind);
  }

  onEnd(end: FeedEnd): void {
    if (this.end !== undefined) this.afterEnd++;
    this.end = end;
    this.log.push(`end ${end.outcome}`);
  }

  /** Counts the rejects by kind. */
  rejectCounts(): Partial<Record<RejectKind, number>> {
    const out: Partial<Record<RejectKind, number>> = {};
    for (const r of this.rejects) out[r.kind] = (out[r.kind] ?? 0) + 1;
    return out;
  }

  /** Counts the connection events of a kind. */
  count(kind: ConnectionEvent['kind']): number {
    return this.events.filter((e) => e.kind === kind).length;
  }

  /** Waits until `check` passes (it asserts), for at most `timeoutMs`. */
  async until(check: () => void, timeoutMs = 15_000): Promise<void> {
    await vi.waitFor(check, { timeout: timeoutMs, interval: 5 });
  }

  /** Waits until `n` bars have arrived. */
  untilBars(n: number): Promise<void> {
    return this.until(() => expect(this.bars.length).toBeGreaterThanOrEqual(n));
  }
}
