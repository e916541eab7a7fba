// One API screen in its worker thread, as the run manager records it: each ticker the thread posts into
// the progress store before the thread goes on, and how the thread's end becomes the run's final status.
import { TradeflowError } from '../core/errors.ts';
import { screenerRef } from '../screener/registry.ts';
import type { TickerSourceSpec } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import { type Ending, endingOf, type InThread } from './backtest-in-thread.ts';
import type { ScreenJob } from './screen-runner.ts';

/**
 * Returns the job that resumes an interrupted screen right after the last ticker it recorded; throws
 * TF_ERR_RUN_NOT_FOUND or TF_ERR_RUN_STATE (a run of another kind, not interrupted, or whose screener
 * this server lacks).
 */
export function resumeJob(
  store: ProgressStore,
  runId: string,
  screeners: Readonly<Record<string, ScreenerStrategy>>,
  source: TickerSourceSpec,
): ScreenJob {
  const run = store.run(runId);
  if (run === undefined) throw new TradeflowError('TF_ERR_RUN_NOT_FOUND', `no run "${runId}"`);
  if (run.kind !== 'screen') {
    throw new TradeflowError(
      'TF_ERR_RUN_STATE',
      run.kind === 'backtest'
        ? `run "${runId}" is a backtest; a backtest cannot resume mid-way: POST /api/backtests again with its config`
        : `run "${runId}" is a ${run.kind} session; a session cannot resume here: POST /api/sessions again with its config`,
    );
  }
  if (run.status !== 'interrupted') {
    throw new TradeflowError(
      'TF_ERR_RUN_STATE',
      `run "${runId}" is ${run.status}; only an interrupted run resumes`,
    );
  }
  const screener = Object.hasOwn(screeners, run.strategy) ? screeners[run.strategy] : undefined;
  if (screener === undefined) {
    throw new TradeflowError(
      'TF_ERR_RUN_STATE',
      `run "${runId}" used screener "${run.strategy}", which this server lacks`,
    );
  }
  return {
    runId,
    screener: screenerRef(screener),
    source,
    config: screener.configSchema.parse(run.parameters),
    tickers: run.tickers,
    from: store.lastPosition(runId) + 1,
    passed: run.passed,
    errors: run.errors,
  };
}

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
