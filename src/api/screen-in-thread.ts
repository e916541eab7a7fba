// One API screen in its worker thread, as the run manager records it: each ticker the thread posts into
// the progress store before the thread goes on, and how the thread's end becomes the run's final status.
import { TradeflowError } from '../core/errors.ts';
import { type Ending, endingOf, type InThread } from './backtest-in-thread.ts';
import type { ScreenJob } from './screen-runner.ts';

/** One screen to run in a thread. */
export interface ScreenInThread extends InThread {
  readonly job: ScreenJob;
  /** Asks the run to stop (as a cancel would): used when a ticker could not be recorded. */
  readonly stop: () => void;
}

/**
 * Runs a screen in its thread and returns how to record its end: completed, stopped at a ticker boundary
 * (cancelled, or interrupted and resumable), or terminated after the grace period (cancelled or
 * interrupted, with the tickers recorded so far kept). Throws for a screen that failed in its thread (its
 * screener or source could not be built), whose thread died (TF_ERR_RUN_ABORTED), or whose ticker could
 * not be recorded; the progress store is the one writer of the run's rows, here on the server's thread.
 */
export async function runScreenInThread(s: ScreenInThread): Promise<Ending> {
  const { store, clock, stopGraceMs } = s.deps;
  const { runId } = s.job;
  let storeError: Error | undefined;
  const end = await s.thread.screen(s.job, {
    stopGraceMs,
    logger: s.deps.logger,
    onProgress: () => {},
    onTicker: (record) => {
      if (storeError !== undefined) return;
      try {
        store.recordTicker({ ...record, runId, processedAt: clock.now() });
      } catch (e) {
        storeError = e as Error;
        s.stop();
      }
    },
  });
  if (end.kind !== 'terminated') s.release(s.thread);
  if (storeError !== undefined) throw storeError;
  switch (end.kind) {
    case 'result':
      return { status: end.result === 'completed' ? 'completed' : endingOf(s.reason() ?? 'cancel') };
    case 'failed':
      throw new Error(end.error);
    case 'died':
      throw new TradeflowError('TF_ERR_RUN_ABORTED', `run "${runId}": ${end.error}`);
    case 'terminated':
      return {
        status: endingOf(s.reason() ?? 'cancel'),
        error: `the screen did not stop within ${stopGraceMs} ms of being asked (a screener or ticker source that never returns); its thread was terminated, and the tickers it had recorded are kept`,
      };
  }
}
