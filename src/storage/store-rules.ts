// The rules every store enforces the same way, so that the contract suite can hold them all to it:
// a run starts once, takes batches only while running, and ends once with a final status.
import { TradeflowError } from '../core/errors.ts';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { RunStatus } from '../model/run.ts';
import type { ListRunsOptions } from './store.ts';

/** Says what to do about a fill or signal whose order is missing (a bug in the caller, not in the data). */
export const ORDER_FIRST = ' (write each order in the batch of its first fill or signal, or an earlier one)';

/** Returns a storage error whose message names the store (a db path or "memory store") first. */
export function storageError(where: string, message: string, cause?: unknown): TradeflowError {
  return new TradeflowError(
    'TF_ERR_STORAGE',
    `${where}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Throws unless a run in `status` may take a batch. */
export function checkWritable(where: string, runId: string, status: string | undefined): void {
  if (status === undefined) {
    throw storageError(where, `no run "${runId}": call startRun before writing batches`);
  }
  if (status !== 'running') {
    throw storageError(where, `run "${runId}" has ended (${status}); it takes no more batches`);
  }
}

/** Throws unless a run in `status` may end with `endStatus`. */
export function checkEnd(
  where: string,
  runId: string,
  status: string | undefined,
  endStatus: RunStatus,
): void {
  if (status === undefined) throw storageError(where, `no run "${runId}" to end: call startRun first`);
  if (status !== 'running') throw storageError(where, `run "${runId}" has already ended (${status})`);
  if (endStatus === 'running') throw storageError(where, `run "${runId}" cannot end with status "running"`);
}

/** Throws unless a run in `status` may go back to running (see RunStore.reopenRun). */
export function checkReopen(where: string, runId: string, status: string | undefined): void {
  if (status === undefined) throw storageError(where, `no run "${runId}" to reopen`);
  if (status === 'running') throw storageError(where, `run "${runId}" is still running`);
  if (status === 'completed') throw storageError(where, `run "${runId}" has completed; it cannot go on`);
}

/** Says what is wrong with a stored bar (a value SQLite would not keep as it is), or undefined. */
export function storedBarProblem(bar: {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}): string | undefined {
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    if (typeof bar[k] !== 'number' || !Number.isFinite(bar[k]))
      return `${k} is ${String(bar[k])}, not a finite number`;
  }
  return undefined;
}

/** Checks a step's bars and state before anything of the step is written; throws what is wrong. */
export function checkLiveStep(bars: readonly StoredBar[], state: LiveState): string {
  for (const b of bars) {
    const problem = storedBarProblem(b);
    if (problem !== undefined) throw new Error(`bar ${b.symbol} ${b.interval} at ${b.ts}: ${problem}`);
  }
  // JSON would turn NaN and Infinity into null silently: a state that would not read back is refused.
  const bad = nonFinitePath(state, 'state');
  if (bad !== undefined) throw new Error(`the live state's ${bad} is not a finite number`);
  return JSON.stringify(state);
}

/** Returns the path of the first number in `v` that is not finite, or undefined. */
function nonFinitePath(v: unknown, path: string): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path;
  if (v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const bad = nonFinitePath(x, `${path}.${k}`);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** Returns the error of a batch that failed: nothing of it was written, and the message says why. */
export function batchError(where: string, runId: string, e: unknown): TradeflowError {
  const detail = e instanceof Error ? e.message : String(e);
  return storageError(where, `batch for run "${runId}" rejected, nothing of it was written: ${detail}`, e);
}

/** Returns paging options with their defaults, or throws when they are not non-negative integers. */
export function pageOf(where: string, options: ListRunsOptions = {}): { limit: number; offset: number } {
  const limit = options.limit ?? 50;
  const offset = options.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
    throw storageError(
      where,
      `listRuns: limit and offset must be non-negative integers (got limit ${limit}, offset ${offset})`,
    );
  }
  return { limit, offset };
}
