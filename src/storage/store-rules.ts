// The rules every store enforces the same way, so that the contract suite can hold them all to it:
// a run starts once, takes batches only while running, and ends once with a final status.
import { TradeflowError } from '../core/errors.ts';
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
