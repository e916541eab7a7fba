// What the server's thread and a run's worker thread say to each other: a strategy check, then the run
// (a backtest's job, a screen's or a session's; progress or each ticker's record, log lines, the end), a
// session's control requests and snapshot replies, and a stop request.
import type { LoadedSession, SessionConfig } from '../config/session-config.ts';
import type { SessionSnapshot } from '../engine/session-snapshot.ts';
import type { FieldProblem } from './errors.ts';
import type { ScreenJob, TickerRecord } from './screen-runner.ts';

/** The run a worker is handed once its request's strategies passed the check (plain data only). */
export interface RunJob {
  readonly runId: string;
  readonly session: LoadedSession;
  /** The run database file, where the run's events go; undefined keeps them in memory only. */
  readonly eventsDb: string | undefined;
  /** Epoch ms the run is recorded as started at (the server's clock). */
  readonly startedAt: number;
  /** Whether the run's end is stamped with wall time (a server on the wall clock) or with `startedAt`. */
  readonly wallTime: boolean;
}

/** A live or replay session a worker runs: a run job, with how bars arrive. */
export interface SessionJob extends RunJob {
  readonly mode: 'live' | 'replay';
  /** A replay's pace (bar time runs `speed` times as fast as wall time); a live replay feed's too. */
  readonly speed?: number;
  /** The live feed as `createFeed` takes it (ws://..., replay, binance); undefined: the config's. */
  readonly feed?: string;
}

/** What a running session is asked: its snapshot, or a control (answered with the snapshot after it). */
export type SessionAction =
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'pause-strategy'; readonly strategy: string }
  | { readonly kind: 'resume-strategy'; readonly strategy: string };

/** A session's answer to an action: its state after it, or why it could not act. */
export type SessionReply =
  | {
      readonly ok: true;
      readonly snapshot: SessionSnapshot;
      /** Fills since the session started (the snapshot holds the latest only). */
      readonly fillCount: number;
    }
  | {
      readonly ok: false;
      /** `starting`: the engine is still loading; `unknown-strategy`: no strategy of that name runs. */
      readonly why: 'starting' | 'unknown-strategy';
      readonly message: string;
    };

/** A worker's figures of its own heap, in bytes. */
export interface HeapFigures {
  readonly usedBytes: number;
  readonly peakBytes: number;
}

/** What a run worker posts to the server's thread. */
export type RunWorkerMessage =
  | { readonly type: 'checked'; readonly problems: readonly FieldProblem[] }
  | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly heap: HeapFigures }
  /** A screen's ticker, to be recorded; the screen waits for `recorded` before its next ticker. */
  | { readonly type: 'ticker'; readonly record: TickerRecord; readonly heap: HeapFigures }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'session-reply'; readonly id: number; readonly reply: SessionReply }
  | { readonly type: 'done'; readonly result: unknown; readonly heap: HeapFigures }
  | { readonly type: 'failed'; readonly error: string; readonly heap: HeapFigures };

/**
 * What the server's thread posts to a run worker: check a request's strategies, run a backtest, run a
 * screen, run a session, ask a session (answered by a `session-reply` with the same id), say a screen's
 * ticker is recorded, or stop.
 */
export type RunControlMessage =
  | { readonly type: 'check'; readonly config: SessionConfig; readonly root: string }
  | { readonly type: 'run'; readonly job: RunJob }
  | { readonly type: 'screen'; readonly job: ScreenJob }
  | { readonly type: 'session'; readonly job: SessionJob }
  | { readonly type: 'session-request'; readonly id: number; readonly action: SessionAction }
  | { readonly type: 'recorded' }
  /** `interrupt`: the server is shutting down (a session's stored run then ends `interrupted`). */
  | { readonly type: 'stop'; readonly reason?: 'cancel' | 'interrupt' };
