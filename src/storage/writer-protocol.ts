// What ThreadedSqliteStore and its writer thread say to each other: numbered requests out, failures back,
// progress in shared memory.
import type { MessagePort } from 'node:worker_threads';
import type { FlatBatch } from './flat-batch.ts';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { RunEnd, RunStart } from './store.ts';

/*
 * What ThreadedSqliteStore and its writer thread say to each other. Requests go to the worker in order,
 * each with a sequence number; the worker stores the number of the last one it has handled in shared
 * memory, so that the caller can wait for it without a reply message. Only failures come back, on a
 * separate port that the caller reads synchronously.
 *
 * The worker opens the file first, as if it were request OPENED_SEQ; if it cannot, it reports a fatal
 * failure, which every later call of the caller throws.
 *
 * Epochs keep a failure from being half reported: once a request of epoch e fails, the worker skips the
 * requests of epoch e that follow (they were made before the caller knew), and the caller moves to epoch
 * e + 1 when it reports the failure.
 */

/** A request to the writer thread. */
export type WriterRequest =
  | { readonly kind: 'start'; readonly seq: number; readonly epoch: number; readonly run: RunStart }
  | {
      readonly kind: 'batch';
      readonly seq: number;
      readonly epoch: number;
      readonly runId: string;
      readonly flat: FlatBatch;
    }
  | {
      readonly kind: 'step';
      readonly seq: number;
      readonly epoch: number;
      readonly runId: string;
      readonly flat: FlatBatch;
      readonly bars: readonly StoredBar[];
      readonly state: LiveState;
    }
  | { readonly kind: 'reopen'; readonly seq: number; readonly epoch: number; readonly runId: string }
  | {
      readonly kind: 'end';
      readonly seq: number;
      readonly epoch: number;
      readonly runId: string;
      readonly end: RunEnd;
    }
  | { readonly kind: 'close'; readonly seq: number; readonly epoch: number };

/** A failure the writer thread reports: a request of `epoch` failed, or (`fatal`) the thread cannot run. */
export interface WriterFailure {
  readonly epoch: number;
  readonly message: string;
  readonly fatal: boolean;
}

/** What the writer thread starts with. */
export interface WriterData {
  readonly path: string;
  /** Two Int32 slots: DONE_SLOT and STATE_SLOT. */
  readonly shared: SharedArrayBuffer;
  readonly failures: MessagePort;
}

/** The seq the worker marks done once it has opened the file (or failed to): requests start after it. */
export const OPENED_SEQ = 1;
/** Slot of the shared Int32Array holding the seq of the last request handled. */
export const DONE_SLOT = 0;
/** Slot of the shared Int32Array holding the writer's state: RUNNING or STOPPED. */
export const STATE_SLOT = 1;
/** The writer thread runs (or is starting). */
export const RUNNING = 0;
/** The writer thread has closed the file, or could not start. */
export const STOPPED = 1;
