// The live run loop: each bar the feed delivers is stepped without waiting for strategies, scheduled ticks
// fire on the wall clock between bars, and strategy threads are settled between them.
import { monotonicMs, yieldToEventLoop } from '../core/clock.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import type { FeedWatch } from './feed-watch.ts';
import { appendLiveBar, type LagStats, type LiveInbox, WOKEN } from './live.ts';
import type { LiveTicks } from './live-ticks.ts';
import { guardSlice, type LoopParts } from './run-loops.ts';
import type { LoadedData } from './session-builder.ts';
import type { Stepper } from './stepper.ts';

/** What the live loop needs besides the parts. */
export interface LiveLoopOptions {
  readonly feed: BarFeed;
  readonly inbox: LiveInbox;
  readonly loaded: LoadedData;
  readonly lag: LagStats;
  /** Counts and logs what the feed turns away, and its connection changes. */
  readonly watch: FeedWatch;
  readonly abort: AbortSignal | undefined;
  /** Commits each step before the next one runs (live-commit.ts); absent without a store. */
  readonly commitStep?: () => Promise<void>;
  /** Scheduled strategies' ticks on the wall clock; absent when no strategy has a `tick_interval`. */
  readonly ticks?: LiveTicks;
}

/**
 * How long the live loop blocks at a time while strategy threads are busy between bars, before it lets the
 * event loop (the feed) run: short, so that a bar arriving meanwhile waits about this long at most.
 */
const SETTLE_SLICE_MS = 1;

/**
 * Runs live: each bar the feed delivers is validated, appended to its symbol's series and stepped without
 * waiting for strategies; between bars, the threads still busy are waited for in short slices and their
 * signals routed as soon as they are taken (`settleBetweenBars`). Ends when the inbox ends (the feed
 * ended, abort, or an explicit stop: `inbox.ended` says which); returns whether the run was cancelled.
 */
export async function runLiveSteps(p: LoopParts, o: LiveLoopOptions): Promise<boolean> {
  const { processor, stepper, between, gate } = p;
  const { feed, inbox, watch } = o;
  const onAbort = () => inbox.end({ outcome: 'stopped', reason: 'run cancelled' });
  if (o.abort?.aborted) onAbort();
  o.abort?.addEventListener('abort', onAbort);
  await between.start();
  feed.start(
    o.loaded.symbols.map((symbol) => {
      const series = o.loaded.sources[o.loaded.symbols.indexOf(symbol)]!.series;
      const last = series.written > 0 ? series.timeAt(series.written - 1) : undefined;
      return { symbol, interval: series.interval, ...(last === undefined ? {} : { sinceMs: last }) };
    }),
    {
      onBar: (bar) => inbox.push(bar, monotonicMs()),
      onEnd: (end) => inbox.end(end),
      onConnection: (event) => watch.connection(event),
      onReject: (kind, problem) => watch.rejected(kind, problem),
    },
  );

  o.ticks?.start();
  try {
    for (let item = await inbox.next(); item !== undefined; item = await inbox.next()) {
      if (item === WOKEN) {
        if (o.ticks) await stepLiveTicks(p, o.ticks, inbox, o.commitStep);
        continue;
      }
      const { bar, receivedMs } = item;
      const problem = appendLiveBar(bar, o.loaded, processor);
      if (problem !== undefined) {
        watch.rejected('refused', `bar ${bar.symbol} at ${new Date(bar.tsClose).toISOString()}: ${problem}`);
        continue;
      }
      stepper.arriving(receivedMs);
      for (let t = processor.nextTime(); t <= bar.tsClose; t = processor.nextTime()) {
        const hold = gate.hold;
        if (hold) await hold;
        if (between.dueBefore(t)) {
          await between.before(t);
          continue;
        }
        o.lag.record(monotonicMs() - receivedMs);
        const at = t;
        const wait = guardSlice(p.sliceLimitMs, stepper, () => stepper.step(at));
        if (wait) await wait;
        await o.commitStep?.();
      }
      // Signals of threads that finished after their step are routed while settling: committed before the next step.
      if (await settleBetweenBars(stepper, inbox)) await o.commitStep?.();
      stepper.onTime(monotonicMs());
    }
  } finally {
    o.ticks?.stop();
    o.abort?.removeEventListener('abort', onAbort);
    feed.stop();
  }
  const cancelled = o.abort?.aborted ?? false;
  await between.end();
  await stepper.finish(cancelled);
  return cancelled;
}

/**
 * Steps the ticks due by the wall clock (each a step of its own, at the tick's time), settles the strategy
 * threads as between bars, then waits for the next tick.
 */
async function stepLiveTicks(
  p: LoopParts,
  ticks: LiveTicks,
  inbox: LiveInbox,
  commitStep: (() => Promise<void>) | undefined,
): Promise<void> {
  const { stepper, gate } = p;
  for (let t = ticks.due(stepper.lastTs); t !== undefined; t = ticks.due(stepper.lastTs)) {
    const hold = gate.hold;
    if (hold) await hold;
    const at = t;
    const wait = guardSlice(p.sliceLimitMs, stepper, () => stepper.step(at));
    if (wait) await wait;
    await commitStep?.();
  }
  // A strategy thread's tick signals are routed as soon as it is done, as after a bar.
  if (await settleBetweenBars(stepper, inbox)) await commitStep?.();
  ticks.arm();
}

/**
 * Between two live bars: waits for the strategy threads still busy, in slices of `SETTLE_SLICE_MS` with the
 * event loop let in between, so that the feed is never blocked, and routes their signals as soon as they
 * are taken. Ends as soon as none is busy, a bar is waiting, or the inbox ended (the run stops); returns
 * whether any thread was busy (then signals may have been routed since the step).
 */
async function settleBetweenBars(stepper: Stepper, inbox: LiveInbox): Promise<boolean> {
  if (!stepper.lagging) return false;
  while (stepper.lagging && !inbox.hasNext && inbox.ended === undefined) {
    if (stepper.settle(SETTLE_SLICE_MS)) break;
    await yieldToEventLoop();
  }
  return true;
}
