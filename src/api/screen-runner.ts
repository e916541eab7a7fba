// One screen run by the API: the screener over each ticker in turn, each result recorded, yielding to the
// event loop between slices and stopping when told to.
import { type Clock, monotonicMs, yieldToEventLoop } from '../core/clock.ts';
import { evaluateTicker } from '../screener/evaluate-ticker.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';

/** Why a run stops early: a user's cancel, or the service closing (the run is then resumable). */
export type StopReason = 'cancel' | 'interrupt';

/** What a run's loop checks between units of work. */
export interface RunControl {
  stop: StopReason | undefined;
}

/** One screen to run, from `from` (0, or the position after the last one recorded when resuming). */
export interface ScreenJob {
  readonly runId: string;
  readonly screener: ScreenerStrategy;
  /** Parameters already validated by the screener's schema. */
  readonly config: unknown;
  readonly tickers: readonly string[];
  readonly from: number;
  /** Counts of the tickers before `from`. */
  readonly passed: number;
  readonly errors: number;
}

/** What a screen needs around it. */
export interface ScreenDeps {
  readonly store: ProgressStore;
  readonly source: TickerSource;
  readonly clock: Clock;
  /** How long to run before yielding to the event loop, in ms. */
  readonly sliceMs: number;
}

/**
 * Runs a screen ticker by ticker, off the request: it yields to the event loop first (so the request that
 * started it is answered) and then whenever a slice of `sliceMs` is used up, so progress requests are
 * served while it runs. Each ticker's outcome and the run's counts are written before the next ticker
 * starts; a stop request is honoured between tickers. Returns how the loop ended.
 */
export async function runScreen(
  job: ScreenJob,
  deps: ScreenDeps,
  control: RunControl,
): Promise<'completed' | StopReason> {
  const { store, source, clock, sliceMs } = deps;
  const total = job.tickers.length;
  let passed = job.passed;
  let errors = job.errors;
  await yieldToEventLoop();
  let sliceStart = monotonicMs();
  for (let i = job.from; i < total; i++) {
    if (control.stop !== undefined) return control.stop;
    const ticker = job.tickers[i] as string;
    const outcome = evaluateTicker(source, job.screener, job.config, ticker);
    const ok = outcome.status === 'ok';
    const didPass = ok && outcome.result.passed;
    if (didPass) passed++;
    if (!ok) errors++;
    store.recordTicker({
      runId: job.runId,
      position: i,
      ticker,
      processedAt: clock.now(),
      passed: didPass,
      score: ok ? outcome.result.score : null,
      status: outcome.status,
      result: ok
        ? {
            classification: outcome.result.classification,
            reasons: outcome.result.reasons,
            metrics: outcome.result.metrics,
          }
        : { error: outcome.error },
      completed: i + 1,
      total,
      passedCount: passed,
      errorCount: errors,
      nextTicker: job.tickers[i + 1] ?? null,
    });
    if (monotonicMs() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = monotonicMs();
    }
  }
  return 'completed';
}
