// One backtest run by the API, inside its run worker: the engine's progress goes to the server's thread,
// its events to the run database.
import type { Logger } from '../core/logger.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { BacktestResult } from '../report/result.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import type { RunJob } from './run-protocol.ts';

/** What a backtest needs around it. */
export interface BacktestDeps {
  readonly logger: Logger;
  /** Stamps the run's end. */
  readonly now: () => number;
  /** Bars done of total, about every 100 ms. */
  readonly onProgress: (done: number, total: number) => void;
}

/**
 * Runs one backtest for the API: the engine's progress (bars done of total) goes to `onProgress`, and with a
 * database file the run's events (orders, fills, trades, signals, equity) go to that file under the run's
 * id, as the CLI records them. `abort` stops it at the engine's next progress check.
 */
export async function runApiBacktest(
  job: Pick<RunJob, 'runId' | 'session' | 'eventsDb' | 'startedAt'>,
  deps: BacktestDeps,
  abort: AbortSignal,
): Promise<BacktestResult> {
  const events = job.eventsDb === undefined ? undefined : new SqliteStore(job.eventsDb);
  try {
    const { result } = await runBacktestWithResult({
      session: job.session,
      runId: job.runId,
      startedAt: job.startedAt,
      endedAt: deps.now,
      logger: deps.logger,
      abort,
      ...(events ? { store: events } : {}),
      onProgress: deps.onProgress,
    });
    return result;
  } finally {
    events?.close();
  }
}
