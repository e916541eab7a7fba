// One API screen as its run thread runs it: the screener over each ticker in turn, each outcome handed to
// the server to record before the next ticker starts, stopping between tickers when told to.
import { evaluateTicker } from '../screener/evaluate-ticker.ts';
import type { ScreenerRef } from '../screener/registry.ts';
import type { TickerSource, TickerSourceSpec } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { TickerWrite } from '../storage/runs-progress.ts';

/** Why a run stops early: a user's cancel, or the service closing (the run is then resumable). */
export type StopReason = 'cancel' | 'interrupt';

/** One ticker's outcome and the run's counts after it, as the thread posts it (the server adds the time). */
export type TickerRecord = Omit<TickerWrite, 'runId' | 'processedAt'>;

/**
 * One screen for a run's thread, as plain data: from `from` (0, or the position after the last ticker
 * recorded when resuming), with the counts of the tickers before it.
 */
export interface ScreenJob {
  readonly runId: string;
  readonly screener: ScreenerRef;
  readonly source: TickerSourceSpec;
  /** Parameters already validated by the screener's schema. */
  readonly config: unknown;
  readonly tickers: readonly string[];
  readonly from: number;
  readonly passed: number;
  readonly errors: number;
}

/** What a screen's loop works with in its thread. */
export interface ScreenLoop {
  readonly screener: ScreenerStrategy;
  readonly source: TickerSource;
  /** Hands one ticker's record to the server; resolves once it is stored. */
  readonly record: (r: TickerRecord) => Promise<void>;
  /** Returns true once the run was asked to stop. */
  readonly stopped: () => boolean;
}

/**
 * Runs a screen ticker by ticker. Each ticker's outcome and the run's counts are recorded before the next
 * ticker starts, so a resumed run goes on right after the last one recorded; a stop request is honoured
 * between tickers (waiting for each record yields to the thread's event loop, where it arrives). A ticker
 * that never ends is the server's to end: it terminates the thread after its grace period.
 */
export async function runScreen(job: ScreenJob, loop: ScreenLoop): Promise<'completed' | 'stopped'> {
  const total = job.tickers.length;
  let passed = job.passed;
  let errors = job.errors;
  for (let i = job.from; i < total; i++) {
    if (loop.stopped()) return 'stopped';
    const ticker = job.tickers[i] as string;
    const outcome = evaluateTicker(loop.source, loop.screener, job.config, ticker);
    const ok = outcome.status === 'ok';
    const didPass = ok && outcome.result.passed;
    if (didPass) passed++;
    if (!ok) errors++;
    await loop.record({
      position: i,
      ticker,
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
  }
  return 'completed';
}
