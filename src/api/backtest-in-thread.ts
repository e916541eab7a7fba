// One API backtest in its worker thread, as the run manager records it: progress into the run's row, and
// how the thread's end becomes the run's final status, result and error.
import type { Clock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import type { ServiceRunStatus } from '../storage/service-run.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import type { RunJob, SessionJob } from './run-protocol.ts';
import type { RunHooks, RunThread, ThreadEnd } from './run-thread.ts';
import type { StopReason } from './screen-runner.ts';

/** How a run ended, as the run manager records it. */
export interface Ending {
  readonly status: ServiceRunStatus;
  readonly result?: unknown;
  readonly error?: string;
}

/** The final status of a run that ended on its own (completed) or was stopped for `how`. */
export const endingOf = (how: 'completed' | StopReason): ServiceRunStatus =>
  how === 'completed' ? 'completed' : how === 'cancel' ? 'cancelled' : 'interrupted';

/** A run's memory as the API reports it, in MiB: its thread's heap now, its peak and its limit. */
export interface RunMemory {
  readonly heap_used_mb: number;
  readonly heap_peak_mb: number;
  readonly heap_limit_mb: number;
}

const mib = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** Returns a run's memory from its thread's last report. */
export function runMemory(thread: RunThread): RunMemory {
  const h = thread.heap;
  return { heap_used_mb: mib(h.usedBytes), heap_peak_mb: mib(h.peakBytes), heap_limit_mb: mib(h.limitBytes) };
}

/** What any run in a thread is given: its thread, what it records with, and how it ends. */
export interface InThread {
  readonly thread: RunThread;
  readonly deps: {
    readonly store: ProgressStore;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly stopGraceMs: number;
  };
  /** Why the run was asked to stop, if it was. */
  readonly reason: () => StopReason | undefined;
  /** Takes the thread back once the run is over and the thread may serve again. */
  readonly release: (thread: RunThread) => void;
}

/** One backtest (or live or replay session) to run in a thread whose strategies were checked. */
export interface BacktestInThread extends InThread {
  readonly job: RunJob | SessionJob;
}

/**
 * Runs a backtest in its thread and returns how to record its end: its result (with the run's memory), a
 * run terminated after the grace period (cancelled or interrupted, with no result), or throws for a run
 * that failed (its coded error) or whose thread died (TF_ERR_RUN_ABORTED). Progress goes to the run's row
 * as it comes. A run whose thread could not end its row among the stored events has it ended here.
 */
export async function runBacktestInThread(b: BacktestInThread): Promise<Ending> {
  const { store, clock, logger, stopGraceMs } = b.deps;
  const { runId, eventsDb } = b.job;
  const hooks: RunHooks = {
    stopGraceMs,
    logger,
    onProgress: (completed, total) => {
      // Progress is for the user to watch; a failed write must not stop the run.
      try {
        store.updateProgress(runId, { completed, total, at: clock.now() });
      } catch (e) {
        logger.warn(`run ${runId}: progress not recorded: ${(e as Error).message}`);
      }
    },
  };
  // A session's result, like a backtest's, says whether it ended cancelled in its `status`.
  const end = await ('mode' in b.job ? b.thread.session(b.job, hooks) : b.thread.run(b.job, hooks));
  const memory = runMemory(b.thread);
  if (end.kind !== 'terminated') b.release(b.thread);
  const ending = endingFor(end, b.reason(), memory, stopGraceMs);
  if (end.kind === 'died' || end.kind === 'terminated') {
    closeStoredRun(eventsDb, runId, ending.status, ending.error ?? '', b.deps);
  }
  if (end.kind === 'failed') throw new Error(end.error);
  if (end.kind === 'died') throw new TradeflowError('TF_ERR_RUN_ABORTED', `run "${runId}": ${end.error}`);
  return ending;
}

/** How a thread's end is recorded (a failure's status and error; the caller throws for those). */
function endingFor(
  end: ThreadEnd,
  reason: StopReason | undefined,
  memory: RunMemory,
  stopGraceMs: number,
): Ending {
  switch (end.kind) {
    case 'result': {
      const result: Record<string, unknown> = { ...(end.result as Record<string, unknown>), memory };
      const status = result['status'] === 'cancelled' ? endingOf(reason ?? 'cancel') : 'completed';
      return { status, result };
    }
    case 'failed':
    case 'died':
      return { status: 'failed', error: end.error };
    case 'terminated':
      return {
        status: endingOf(reason ?? 'cancel'),
        error: `the run did not stop within ${stopGraceMs} ms of being asked (a strategy that never returns or a setup that never settles); its thread was terminated, and the events it had stored are kept`,
      };
  }
}

/**
 * Ends the run's row among the run database's events, which its thread could not do itself. A row the
 * thread ended already (or never started) is refused by the store's own check, and left as it is.
 */
function closeStoredRun(
  eventsDb: string | undefined,
  runId: string,
  status: ServiceRunStatus,
  error: string,
  deps: { readonly clock: Clock; readonly logger: Logger },
): void {
  if (eventsDb === undefined) return;
  let events: SqliteStore | undefined;
  try {
    events = new SqliteStore(eventsDb);
    events.endRun(runId, {
      status: status === 'cancelled' || status === 'failed' ? status : 'interrupted',
      endedAt: deps.clock.now(),
      error,
    });
  } catch (e) {
    deps.logger.debug(`run ${runId}: its stored events were not closed here: ${(e as Error).message}`);
  } finally {
    events?.close();
  }
}
