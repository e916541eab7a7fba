// One backtest run by the API: the engine's progress goes to the run's row, its events to the same database.
import type { LoadedSession } from '../config/session-config.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { BacktestResult } from '../report/result.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';

/** What a backtest needs around it. */
export interface BacktestDeps {
  readonly store: ProgressStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Runs one backtest for the API: the engine's progress (bars done of total) is written to the run's row,
 * and with a database file the run's events (orders, fills, trades, signals, equity) go to the same file
 * under the same id, as the CLI records them. `abort` stops it at the engine's next progress check.
 */
export async function runApiBacktest(
  job: { readonly runId: string; readonly session: LoadedSession },
  deps: BacktestDeps,
  abort: AbortSignal,
): Promise<BacktestResult> {
  const { store, clock } = deps;
  const events = store.path === ':memory:' || store.path === '' ? undefined : new SqliteStore(store.path);
  try {
    const { result } = await runBacktestWithResult({
      session: job.session,
      runId: job.runId,
      startedAt: clock.now(),
      endedAt: () => clock.now(),
      logger: deps.logger,
      abort,
      ...(events ? { store: events } : {}),
      onProgress: (done, total) => {
        // Progress is for the user to watch; a failed write must not stop the engine.
        try {
          store.updateProgress(job.runId, { completed: done, total, at: clock.now() });
        } catch (e) {
          deps.logger.warn(`run ${job.runId}: progress not recorded: ${(e as Error).message}`);
        }
      },
    });
    return result;
  } finally {
    events?.close();
  }
}
