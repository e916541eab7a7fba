// What the server's thread and a run's worker thread say to each other: the job handed over at start, and
// the messages each way (progress, log lines, the end; a stop request).
import type { LoadedSession } from '../config/session-config.ts';

/** The job a run worker receives at start (structured-cloned, so plain data only). */
export interface RunWorkerData {
  readonly runId: string;
  readonly session: LoadedSession;
  /** The run database file, where the run's events go; undefined keeps them in memory only. */
  readonly eventsDb: string | undefined;
  /** Epoch ms the run is recorded as started at (the server's clock). */
  readonly startedAt: number;
  /** Whether the run's end is stamped with wall time (a server on the wall clock) or with `startedAt`. */
  readonly wallTime: boolean;
}

/** A worker's figures of its own heap, in bytes. */
export interface HeapFigures {
  readonly usedBytes: number;
  readonly peakBytes: number;
}

/** What a run worker posts to the server's thread. */
export type RunWorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly heap: HeapFigures }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'done'; readonly result: string; readonly heap: HeapFigures }
  | { readonly type: 'failed'; readonly error: string; readonly heap: HeapFigures };

/** What the server's thread posts to a run worker. */
export type RunControlMessage = { readonly type: 'stop' };
